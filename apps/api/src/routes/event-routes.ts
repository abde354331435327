import { Router } from 'express';
import type { RequireScope } from '../auth/require-scope';
import type { JobEventHub } from '../events/job-event-hub';
import { serveJobEvents } from '../events/job-event-stream';
import type { SseStreams } from '../events/sse-streams';
import type { PlaybackSigner } from '../playback/playback-signer';
import { signedViews } from '../playback/signed-view';
import { parseJobId } from '../services/job-id';
import type { JobService } from '../services/job-service';

const EVENTS = '/v1/stream/job/:id/events';

export interface EventRouteDeps {
  readonly hub: JobEventHub;
  readonly streams: SseStreams;
  readonly jobs: JobService;
  readonly playback?: PlaybackSigner;
}

/**
 * `GET /v1/stream/job/{id}/events`: live progress as Server-Sent Events
 * (scope jobs:read). The read rate limit counts the connect only: the
 * stream itself is one request, however long it stays open.
 */
export function eventRoutes(deps: EventRouteDeps, requireScope: RequireScope): Router {
  const router = Router();
  const { playback } = deps;
  // Bodies are the GET job route's, manifest token included (minted per event).
  const present = signedViews(playback);
  router.get<typeof EVENTS>(EVENTS, requireScope('jobs:read'), async (req, res) => {
    await serveJobEvents(parseJobId(req.params.id), req, res, {
      hub: deps.hub,
      jobs: deps.jobs,
      streams: deps.streams,
      present,
    });
  });
  return router;
}
