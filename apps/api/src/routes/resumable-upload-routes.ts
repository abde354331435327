import { Router, type RequestHandler } from 'express';
import { uploadIdleTimeout } from '../middleware/upload-idle-timeout';
import { uploadMinRate } from '../middleware/upload-min-rate';
import { RESUMABLE_UPLOADS_PATH, type ResumableUploads } from '../upload/resumable-uploads';
import type { UploadSlots } from '../upload/upload-slots';

export interface ResumableUploadRouteDeps {
  readonly uploads: ResumableUploads;
  /** `requireScope('transcode:write')`: every tus request but OPTIONS. */
  readonly authorize: RequestHandler;
  readonly slots: UploadSlots;
  readonly uploadIdleTimeoutMs: number;
  readonly uploadMinBytesPerSecond: number;
  readonly uploadRateWindowMs: number;
}

const UPLOAD_PATH = `${RESUMABLE_UPLOADS_PATH}/:id`;

/**
 * tus at `/v1/stream/uploads`: POST creates (and may carry the first bytes),
 * PATCH appends, HEAD tells the offset, DELETE terminates. Thin: our checks
 * of a new upload, then @tus/server answers.
 */
export function resumableUploadRoutes(deps: ResumableUploadRouteDeps): Router {
  const router = Router();
  // tus wants Tus-Resumable on every answer, our JSON errors included.
  const tusResumable: RequestHandler = (_req, res, next) => {
    res.setHeader('Tus-Resumable', '1.0.0');
    next();
  };
  const checkCreation: RequestHandler = (req, _res, next) => {
    // Without Tus-Resumable tus answers 412 itself.
    if (req.headers['tus-resumable'] === undefined) {
      next();
      return;
    }
    deps.uploads.checkCreation(req.headers).then(() => next(), next);
  };
  // Bodies are received like multipart uploads: a slot each, cut off when idle or too slow.
  const receiving = [
    deps.slots.admit(),
    uploadIdleTimeout(deps.uploadIdleTimeoutMs),
    uploadMinRate(deps.uploadMinBytesPerSecond, deps.uploadRateWindowMs),
  ];

  router.post(RESUMABLE_UPLOADS_PATH, tusResumable, deps.authorize, checkCreation, ...receiving, tusHandler(deps));
  router.patch(UPLOAD_PATH, tusResumable, deps.authorize, ...receiving, tusHandler(deps));
  router.head(UPLOAD_PATH, tusResumable, deps.authorize, tusHandler(deps));
  router.delete(UPLOAD_PATH, tusResumable, deps.authorize, tusHandler(deps));
  return router;
}

/**
 * OPTIONS answered by tus (Tus-Version, Tus-Extension, Tus-Max-Size, and
 * the CORS preflight of PATCH and tus's headers): mounted ahead of the
 * app-wide CORS middleware, which would answer every OPTIONS itself.
 */
export function resumableUploadOptionsRoutes(uploads: ResumableUploads): Router {
  const router = Router();
  router.options([RESUMABLE_UPLOADS_PATH, UPLOAD_PATH], (req, res, next) => {
    uploads.handle(req, res, { requestId: undefined, onQueueing: () => undefined }).catch(next);
  });
  return router;
}

function tusHandler(deps: ResumableUploadRouteDeps): RequestHandler {
  return (req, res, next) => {
    const requestId: unknown = res.locals['requestId'];
    deps.uploads
      .handle(req, res, {
        requestId: typeof requestId === 'string' ? requestId : undefined,
        onQueueing: () => deps.slots.committing(req),
      })
      .catch(next);
  };
}
