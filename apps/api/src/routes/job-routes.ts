import { Router } from 'express';
import type { RequireScope } from '../auth/require-scope';
import type { PlaybackSigner } from '../playback/playback-signer';
import { signedViews } from '../playback/signed-view';
import { parseJobId } from '../services/job-id';
import type { JobService } from '../services/job-service';

// Explicit route type: with a middleware in front, Express's types would
// otherwise lose the `:id` parameter's type.
const JOB = '/v1/stream/job/:id';
const OUTPUT = '/v1/stream/job/:id/output';

/**
 * `GET /v1/stream/job/{id}` (the seed's status route), `DELETE` (cancel)
 * and `DELETE …/output` (takedown).
 * With a playback signer, a completed job's `manifest_url` carries a
 * fresh token, minted per read.
 */
export function jobRoutes(jobs: JobService, requireScope: RequireScope, playback?: PlaybackSigner): Router {
  const router = Router();
  const signed = signedViews(playback);

  router.get<typeof JOB>(JOB, requireScope('jobs:read'), async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(signed(await jobs.view(parseJobId(req.params.id))));
  });
  // Not in the seed, which lists "Cancelled" but no way to reach it.
  router.delete<typeof JOB>(JOB, requireScope('transcode:write'), async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(signed(await jobs.cancel(parseJobId(req.params.id))));
  });
  // Takedown: a finished job's outputs are removed; its playback URLs answer 410 from then on.
  router.delete<typeof OUTPUT>(OUTPUT, requireScope('transcode:write'), async (req, res) => {
    await jobs.purgeOutput(parseJobId(req.params.id));
    res.setHeader('Cache-Control', 'no-store');
    res.status(204).end();
  });
  return router;
}
