import { Queue } from 'bullmq';
import type { RedisClient } from './redis-connection';
import {
  JOB_POLICIES,
  QUEUE_NAMES,
  webhookAttempts,
  type WebhookDeliveryData,
  type WebhookDeliveryResult,
  type WebhookEvent,
} from '@stream-server/jobs';

/** The custom backoff type of webhook jobs (see webhookBackoffMs). */
export const WEBHOOK_BACKOFF_TYPE = 'webhook-capped-exponential';

export interface WebhookQueueOptions {
  readonly prefix: string;
  /** WEBHOOK_RETRY_HOURS: how long a failing delivery is retried. */
  readonly retryHours: number;
  /** How long delivered (and given-up) events are kept, which is also how long duplicates are ignored. */
  readonly retentionDays: number;
  /** First retry delay; later ones double up to an hour (default: the policy table's). */
  readonly backoffBaseMs?: number;
}

/**
 * BullMQ refuses ':' in custom job ids; the event id keeps it (it is the
 * public de-duplication key), the queue's id swaps it for '_'.
 */
export function webhookQueueJobId(eventId: string): string {
  return eventId.replace(/:/g, '_');
}

/**
 * The producer side of the `webhook` queue: the worker adds an event when a
 * transcode ends for good, the API when it cancels a job no worker saw.
 * The queue job's id is derived from the event id, so adding the same
 * event twice (a worker retrying its report, two API instances) is a
 * no-op: receivers get it once per delivery attempt, never twice by us.
 */
export class WebhookQueue {
  private readonly queue: Queue<WebhookDeliveryData, WebhookDeliveryResult, 'webhook'>;

  constructor(
    connection: RedisClient,
    private readonly options: WebhookQueueOptions,
  ) {
    this.queue = new Queue(QUEUE_NAMES.webhook, { connection, prefix: options.prefix });
    // Without a listener an 'error' event would crash the process.
    this.queue.on('error', () => undefined);
  }

  async enqueue(url: string, event: WebhookEvent): Promise<void> {
    const baseMs = this.options.backoffBaseMs ?? JOB_POLICIES.webhook.backoffMs;
    const keepSeconds = this.options.retentionDays * 86_400;
    await this.queue.add(
      'webhook',
      { version: 1, url, event },
      {
        jobId: webhookQueueJobId(event.id),
        attempts: webhookAttempts(this.options.retryHours, baseMs),
        backoff: { type: WEBHOOK_BACKOFF_TYPE, delay: baseMs },
        removeOnComplete: { age: keepSeconds },
        removeOnFail: { age: keepSeconds },
      },
    );
  }

  /** Deletes every key of this queue (tests only). */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
