import type { RedisTarget } from '@stream-server/config';
import {
  createRedis,
  JobEventReader,
  queueUnavailable,
  type TranscodeQueue,
  type RedisClient,
  duplicateRedis,
} from '@stream-server/queue';
import type { Logger } from '@stream-server/logger';

/**
 * What a watcher of one job hears. `settled` means "the job may have
 * ended: read it again" (completed, failed, removed from the queue, or
 * cancelled); the job record, not the event, decides what it became, so
 * a failed attempt that will be retried is not mistaken for the end.
 */
export type JobEvent =
  | { readonly kind: 'progress'; readonly progress: number }
  | { readonly kind: 'playable' }
  | { readonly kind: 'settled'; readonly cause: 'completed' | 'failed' | 'removed' | 'cancelled' };

export type JobEventListener = (event: JobEvent) => void;

export interface JobEventHubOptions {
  readonly redisTarget: RedisTarget;
  /** The API's producer connection: reads the stream's last id (fails fast while Redis is down). */
  readonly redis: RedisClient;
  readonly queue: TranscodeQueue;
  /** QUEUE_PREFIX of the queue's keys. */
  readonly prefix: string;
  readonly logger: Logger;
}

/**
 * One queue event reader (one blocking Redis connection) and one
 * cancel subscriber per API instance, fanned out in-process by job id, so
 * a thousand open SSE streams cost two Redis connections, not a thousand.
 * Started by the first watcher; a job's entry goes when its last watcher
 * leaves.
 */
export class JobEventHub {
  private readonly watchers = new Map<string, Set<JobEventListener>>();
  private started: Promise<void> | undefined;
  private events: JobEventReader | undefined;
  private subscriber: RedisClient | undefined;
  private reader: RedisClient | undefined;
  private closed = false;

  constructor(private readonly options: JobEventHubOptions) {}

  /**
   * Registers `listener` for `jobId` and resolves once every event from
   * now on will reach it, so a state read after this loses nothing.
   * Returns the function that unregisters it.
   */
  async watch(jobId: string, listener: JobEventListener): Promise<() => void> {
    if (this.closed) throw queueUnavailable();
    let set = this.watchers.get(jobId);
    if (!set) {
      set = new Set();
      this.watchers.set(jobId, set);
    }
    set.add(listener);
    const unwatch = () => {
      const current = this.watchers.get(jobId);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.watchers.delete(jobId);
    };
    try {
      await this.start();
    } catch (err) {
      unwatch();
      throw err;
    }
    return unwatch;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watchers.clear();
    await this.started?.catch(() => undefined);
    await this.release();
  }

  private async release(): Promise<void> {
    const { events, subscriber, reader } = this;
    this.events = undefined;
    this.subscriber = undefined;
    this.reader = undefined;
    await events?.close().catch(() => undefined);
    // The reader may leave the connection it was given open; both go for sure.
    for (const client of [subscriber, reader]) {
      try {
        if (client && client.status !== 'end') await client.quit();
      } catch {
        client?.disconnect();
      }
    }
  }

  private start(): Promise<void> {
    this.started ??= this.connect().catch((err: unknown) => {
      // A failed start (Redis down) is retried by the next watcher.
      this.started = undefined;
      void this.release();
      this.options.logger.warn('job events unavailable', { error: err instanceof Error ? err.message : String(err) });
      throw queueUnavailable();
    });
    return this.started;
  }

  private async connect(): Promise<void> {
    const { queue, redis, redisTarget, prefix, logger } = this.options;
    // The cancel subscriber doubles as the first reader: unlike the
    // producer connection it queues commands until connected (an SSE client
    // may come a moment after start), yet still gives up fast when Redis is down.
    const subscriber = duplicateRedis(redis, { enableOfflineQueue: true, connectionName: 'stream-server:events' });
    subscriber.on('error', (err: Error) => logger.warn('job events subscriber error', { error: err.message }));
    this.subscriber = subscriber;
    // An event reader starts at '$' (events newer than its first XREAD) by
    // default; starting from the stream's current last id instead means
    // nothing that happens after this line is lost, however long the
    // blocking connection takes to come up.
    const after = await queue.lastEventId(subscriber);

    // Blocking reads need a connection of their own.
    this.reader = createRedis(redisTarget, 'worker');
    this.reader.on('error', () => undefined); // the event reader reports it below
    const events = new JobEventReader(
      this.reader,
      { prefix, after },
      {
        error: (err) => logger.warn('job events reader error', { error: err.message }),
        progress: (jobId, progress) => this.dispatch(jobId, { kind: 'progress', progress }),
        playable: (jobId) => this.dispatch(jobId, { kind: 'playable' }),
        settled: (jobId, cause) => this.dispatch(jobId, { kind: 'settled', cause }),
      },
    );
    this.events = events;

    // A running job's cancel reads Cancelled at once (GET says so too);
    // its worker's 'failed' follows within a second, or much later if
    // that worker is dead, so the cancel broadcast is heard directly.
    subscriber.on('message', (_channel: string, jobId: string) =>
      this.dispatch(jobId, { kind: 'settled', cause: 'cancelled' }),
    );
    await Promise.all([events.waitUntilReady(), subscriber.subscribe(queue.cancels.channel)]);
  }

  private dispatch(jobId: string, event: JobEvent): void {
    const set = this.watchers.get(jobId);
    if (!set) return;
    // A copy: a listener may unwatch (end its stream) while we iterate.
    for (const listener of [...set]) {
      try {
        listener(event);
      } catch (err) {
        this.options.logger.warn('job event listener failed', {
          job_id: jobId,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
  }
}
