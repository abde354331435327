import { Router } from 'express';
import type { JobService } from '../services/job-service';

/** `GET /v1/stream/job/{id}` (the seed's status route) and `DELETE` (cancel). */
export function jobRoutes(jobs: JobService): Router {
  const router = Router();
  router.get('/v1/stream/job/:id', async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await jobs.view(req.params.id));
  });
  // Not in the seed, which lists "Cancelled" but no way to reach it.
  router.delete('/v1/stream/job/:id', async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await jobs.cancel(req.params.id));
  });
  return router;
}
