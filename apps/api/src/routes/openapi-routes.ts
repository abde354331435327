import { Router } from 'express';
import { OPENAPI_DOCUMENT } from '../openapi/openapi-document';

/** `GET /v1/stream/openapi.json`: open, like /health (a client generator must read it before it has a key). */
export function openApiRoutes(): Router {
  const router = Router();
  // Serialised once: the document is constant for the life of the process.
  const body = Buffer.from(JSON.stringify(OPENAPI_DOCUMENT), 'utf8');
  router.get('/v1/stream/openapi.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('application/json').send(body);
  });
  return router;
}
