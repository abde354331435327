import { Router } from 'express';
import type { RequireScope } from '../auth/require-scope';
import type { ApiMetrics } from '../metrics/api-metrics';
import type { PlaybackSigner } from '../playback/playback-signer';
import { signedViews } from '../playback/signed-view';
import { parseJobListQuery, type QueueStatsService } from '../services/queue-stats-service';

/**
 * The ops surface: `GET /v1/stream/queue/stats` and `GET /v1/stream/jobs`
 * for dashboards (scope jobs:read), `GET /metrics` for Prometheus (scope
 * admin). All no-store: they describe the fleet at this instant.
 */
export function opsRoutes(
  stats: QueueStatsService,
  metrics: ApiMetrics,
  requireScope: RequireScope,
  playback?: PlaybackSigner,
): Router {
  const router = Router();
  const signed = signedViews(playback);

  router.get('/v1/stream/queue/stats', requireScope('jobs:read'), async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await stats.stats());
  });
  router.get('/v1/stream/jobs', requireScope('jobs:read'), async (req, res) => {
    const query = parseJobListQuery(req.query);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ jobs: (await stats.recentJobs(query)).map(signed) });
  });
  router.get('/metrics', requireScope('admin'), async (_req, res) => {
    const page = await metrics.render();
    res.setHeader('Cache-Control', 'no-store');
    res.type(page.contentType).send(page.body);
  });
  return router;
}
