import { QueueEvents, type QueueEventsListener } from 'bullmq';
import type { RedisClient } from './redis-connection';
import { QUEUE_NAMES } from '@stream-server/jobs';
import { PLAYABLE_EVENT, readProgress } from './job-progress';

/** The custom event a worker publishes (see TranscodeWorker#reportPlayable). */
interface PlayableListener extends QueueEventsListener {
  [PLAYABLE_EVENT]: (args: { jobId: string }, id: string) => void;
}

/** What the transcode queue's event stream says about one job. */
export interface JobEventHandlers {
  progress(jobId: string, progress: number): void;
  /** The job's live playlist can be played. */
  playable(jobId: string): void;
  /** The job completed, failed (perhaps to be retried) or left the queue. */
  settled(jobId: string, cause: 'completed' | 'failed' | 'removed'): void;
  error(error: Error): void;
}

export interface JobEventReaderOptions {
  readonly prefix: string;
  /** Read events after this stream id (see TranscodeQueue#lastEventId), so none are missed while connecting. */
  readonly after: string;
}

/**
 * Reads the transcode queue's events. It blocks on `connection`, which
 * must be its own (BullMQ's rule for blocking reads).
 */
export class JobEventReader {
  private readonly events: QueueEvents;

  constructor(connection: RedisClient, options: JobEventReaderOptions, handlers: JobEventHandlers) {
    this.events = new QueueEvents(QUEUE_NAMES.transcode, {
      connection,
      prefix: options.prefix,
      lastEventId: options.after,
    });
    this.events.on('error', (err: Error) => handlers.error(err));
    this.events.on('progress', ({ jobId, data }) => handlers.progress(jobId, readProgress(data).percent));
    this.events.on<PlayableListener>(PLAYABLE_EVENT, ({ jobId }: { jobId: string }) => handlers.playable(jobId));
    this.events.on('completed', ({ jobId }) => handlers.settled(jobId, 'completed'));
    this.events.on('failed', ({ jobId }) => handlers.settled(jobId, 'failed'));
    this.events.on('removed', ({ jobId }) => handlers.settled(jobId, 'removed'));
  }

  async waitUntilReady(): Promise<void> {
    await this.events.waitUntilReady();
  }

  async close(): Promise<void> {
    await this.events.close();
  }
}
