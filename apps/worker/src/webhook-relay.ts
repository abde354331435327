import type { JobSnapshot } from '@stream-server/jobs';
import {
  type JobEnding,
  type JobEndingStream,
  type WebhookQueue,
  type RedisClient,
  duplicateRedis,
} from '@stream-server/queue';
import { playableWebhookEventFor, webhookEventFor } from '@stream-server/webhooks';
import { describeError, type Logger } from '@stream-server/logger';

/** Reads a transcode job back (TranscodeQueue#get): state, cancel mark, payload. */
export interface JobReader {
  get(jobId: string): Promise<JobSnapshot | null>;
}

/** Deletes a job's upload (StorageRepository through the layout). */
export type DropUpload = (uploadId: string) => Promise<void>;

export interface WebhookRelayOptions {
  /** The transcode queue's event stream. */
  readonly stream: JobEndingStream;
  /** Where the relays of the fleet keep how far they have read. */
  readonly cursorKey: string;
  /** How long one XREAD waits for events (it is interrupted at stop). */
  readonly blockMs?: number;
  /** Pause after a Redis error before reading again. */
  readonly retryMs?: number;
}

/** The fleet's shared read position in the transcode event stream (outside BullMQ's key space). */
export function webhookRelayCursorKey(prefix: string): string {
  return `${prefix}:webhook-relay:cursor`;
}

/**
 * Queues the webhook of every transcode job with a callback_url that ends
 * for good. It reads the queue's own event stream from a cursor kept in
 * Redis, not a worker's in-memory events, so an ending is never missed: a
 * worker killed between finishing a job and queueing its webhook, or a job
 * that BullMQ fails for stalling (no worker sees that), is picked up by the
 * next relay from where the fleet left off. Every worker runs one; events
 * read twice are harmless, because the webhook queue's job id is the event
 * id and adding it again is a no-op. The cursor only moves past an event
 * once its webhook is queued. (BullMQ trims the stream to about 10,000
 * events: a fleet down for longer than that many endings would lose the
 * oldest.)
 *
 * It also deletes the upload of a job that failed for good: the processor
 * does that for failures it sees, but not for a job BullMQ fails after
 * too many stalls (its workers kept dying), whose upload would stay.
 */
export class WebhookRelay {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private cursor = '0-0';
  /** A connection of its own: XREAD BLOCK holds it. */
  private readonly blocking: RedisClient;

  constructor(
    private readonly redis: RedisClient,
    private readonly jobs: JobReader,
    private readonly webhooks: WebhookQueue,
    private readonly options: WebhookRelayOptions,
    private readonly logger: Logger,
    private readonly dropUpload: DropUpload = async () => undefined,
  ) {
    this.blocking = duplicateRedis(redis);
    this.blocking.on('error', () => undefined); // the main connection logs outages
  }

  async start(now = Date.now()): Promise<void> {
    // The first relay ever starts from now, not from the stream's history.
    await this.redis.set(this.options.cursorKey, `${now}-0`, 'NX');
    this.cursor = (await this.redis.get(this.options.cursorKey)) ?? `${now}-0`;
    this.loop = this.run();
  }

  /** Stops reading, after queueing what the stream already holds (the jobs this worker just ended). */
  async stop(): Promise<void> {
    this.stopped = true;
    // Ends a pending XREAD BLOCK at once.
    this.blocking.disconnect();
    await this.loop?.catch(() => undefined);
    if (this.loop) await this.readOnce(this.redis, null).catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.readOnce(this.blocking, this.options.blockMs ?? 5_000);
      } catch (err) {
        if (this.stopped) return;
        this.logger.warn('webhook relay: reading job events failed; retrying', describeError(err));
        await new Promise((resolve) => setTimeout(resolve, this.options.retryMs ?? 1_000));
      }
    }
  }

  /** Reads up to 100 events after the cursor (waiting up to `blockMs` when given), queues their webhooks, moves the cursor. */
  private async readOnce(connection: RedisClient, blockMs: number | null): Promise<void> {
    const entries = await this.options.stream.read(connection, { after: this.cursor, blockMs });
    if (entries.length === 0) return;
    for (const entry of entries) {
      if (entry.ending) await this.handle(entry.ending);
      this.cursor = entry.id;
    }
    await this.redis.set(this.options.cursorKey, this.cursor);
  }

  /** One ending: its webhook when the job is over for good, and the upload of a failed one. */
  private async handle(ending: JobEnding): Promise<void> {
    const { jobId } = ending;
    const snapshot = await this.jobs.get(jobId);
    if (!snapshot) return;
    if (ending.event === 'playable') {
      const url = snapshot.data.callbackUrl;
      const webhook = url === undefined ? null : playableWebhookEventFor(snapshot);
      if (url === undefined || webhook === null) return;
      await this.webhooks.enqueue(url, webhook);
      this.logger.info('webhook queued', { job_id: jobId, event_id: webhook.id, type: webhook.type });
      return;
    }
    // Only the failed state is for good: 'failed' is also emitted for an attempt that will be retried.
    if (snapshot.state === 'failed') await this.dropUpload(snapshot.data.uploadId);
    const url = snapshot.data.callbackUrl;
    if (url === undefined) return;
    // webhookEventFor gives nothing for a job due a retry.
    const webhook = webhookEventFor(snapshot);
    if (webhook === null) return;
    await this.webhooks.enqueue(url, webhook);
    this.logger.info('webhook queued', { job_id: jobId, event_id: webhook.id, type: webhook.type });
  }
}
