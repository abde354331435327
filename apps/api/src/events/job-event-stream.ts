import type { Request, Response } from 'express';
import { NotFoundError } from '@stream-server/errors';
import type { JobId } from '../services/job-id';
import type { JobService } from '../services/job-service';
import type { JobView } from '../services/job-view';
import type { JobEvent, JobEventHub } from './job-event-hub';
import type { SseStreams } from './sse-streams';

export interface JobEventStreamDeps {
  readonly hub: JobEventHub;
  readonly jobs: JobService;
  readonly streams: SseStreams;
  /** The same view GET /v1/stream/job/{id} answers (a signed manifest_url with signed playback). */
  readonly present: (view: JobView) => JobView;
}

type TerminalEvent = 'completed' | 'failed' | 'cancelled';

/** The SSE event that ends a stream for a job in this status, or null while it is not over. */
function terminalEventOf(status: string): TerminalEvent | null {
  if (status === 'Completed') return 'completed';
  if (status === 'Cancelled') return 'cancelled';
  if (status.startsWith('Failed(')) return 'failed';
  return null;
}

/** Progress as the job body shows it: 0 to 99.9 (100 comes with `completed`), one decimal. */
function progressValue(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.round(Math.min(99.9, Math.max(0, value)) * 10) / 10;
}

/**
 * Serves `GET /v1/stream/job/{id}/events` for one client: `state` first,
 * then `progress`, then one terminal event, then the end.
 *
 * The hub is joined BEFORE the job is read, and events that arrive while
 * the read is in flight are held and replayed after `state`, so nothing
 * that happens between the two is lost. A settled event (completed,
 * failed, removed, cancelled) re-reads the job: the record decides which
 * terminal event is sent, with the full body. An unknown job throws
 * (404 JSON from the error middleware) before any byte is written.
 */
export async function serveJobEvents(
  jobId: JobId,
  req: Request,
  res: Response,
  deps: JobEventStreamDeps,
): Promise<void> {
  // An object, not a variable: TypeScript would otherwise keep the
  // narrowing across awaits, while the client may leave during any of them.
  const state: { phase: 'starting' | 'live' | 'ended' } = { phase: 'starting' };
  const held: JobEvent[] = [];
  const ended = () => state.phase === 'ended';
  let unwatch: () => void = () => undefined;
  let unregister: () => void = () => undefined;
  let eventId = 0;
  let lastProgress = -1;
  let playableSent = false;
  let rereads: Promise<void> = Promise.resolve();

  const end = () => {
    if (state.phase === 'ended') return;
    state.phase = 'ended';
    unwatch();
    unregister();
    if (!res.writableEnded) res.end();
  };
  const send = (event: string, data: unknown) => {
    eventId += 1;
    res.write(`id: ${eventId}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const handle = (event: JobEvent) => {
    if (state.phase !== 'live') return;
    if (event.kind === 'progress') {
      const progress = progressValue(event.progress);
      // Held events may predate the state read; never step back from what was shown.
      if (progress <= lastProgress) return;
      lastProgress = progress;
      send('progress', { job_id: jobId, progress });
      return;
    }
    // One re-read at a time, in order: the last one sees the final record.
    rereads = rereads.then(() => (event.kind === 'playable' ? playable() : settle()));
  };
  /** `playable`, once per stream, with the body that holds live_manifest_url. */
  const playable = async () => {
    if (state.phase !== 'live' || playableSent) return;
    const view = await deps.jobs.view(jobId).then(deps.present, () => null);
    if (state.phase !== 'live' || !view?.live_manifest_url || playableSent) return;
    playableSent = true;
    send('playable', view);
  };
  const settle = async () => {
    if (state.phase !== 'live') return;
    let view: JobView;
    try {
      view = deps.present(await deps.jobs.view(jobId));
    } catch (err) {
      // Gone from Redis (retention): nothing more will happen to it. A Redis
      // outage keeps the stream open; the reader resumes where it left off.
      if (err instanceof NotFoundError) end();
      return;
    }
    const terminal = terminalEventOf(view.status);
    if (state.phase !== 'live' || terminal === null) return;
    send(terminal, view);
    end();
  };

  // The client may leave at any point, even while the job is being read.
  res.once('close', end);
  unwatch = await deps.hub.watch(jobId, (event) => {
    if (state.phase === 'starting') held.push(event);
    else handle(event);
  });
  if (ended()) {
    unwatch();
    return;
  }
  let view: JobView;
  try {
    view = deps.present(await deps.jobs.view(jobId));
  } catch (err) {
    unwatch();
    throw err;
  }
  if (ended()) return;

  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream');
  res.setHeader('Cache-Control', 'no-cache');
  // nginx would otherwise buffer the stream and deliver it in lumps.
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  req.socket.setNoDelay(true);
  // Long-lived by design: no socket idle timeout (heartbeats keep proxies happy).
  req.socket.setTimeout(0);

  send('state', view);
  const terminal = terminalEventOf(view.status);
  if (terminal !== null) {
    send(terminal, view);
    end();
    return;
  }
  state.phase = 'live';
  lastProgress = view.progress;
  // A client that connects once the job is playable hears it at once.
  if (view.live_manifest_url !== null) {
    playableSent = true;
    send('playable', view);
  }
  // May end the stream at once (server stopping): handle() then drops the held events.
  unregister = deps.streams.add({
    heartbeat: () => {
      res.write(': keep-alive\n\n');
    },
    close: end,
  });
  for (const event of held.splice(0)) handle(event);
}
