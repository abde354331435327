import { Worker } from 'bullmq';
import type { RedisClient } from './redis-connection';
import {
  QUEUE_NAMES,
  webhookBackoffMs,
  type WebhookDeliveryData,
  type WebhookDeliveryResult,
} from '@stream-server/jobs';
import { isFinalFailure, runWithSignals } from './worker-signals';

/** Delivers one event; throws PermanentJobError to give up at once, anything else to retry. */
export type WebhookHandler = (data: WebhookDeliveryData, attemptsMade: number) => Promise<WebhookDeliveryResult>;

export interface WebhookWorkerEvents {
  delivered(data: WebhookDeliveryData, result: WebhookDeliveryResult): void;
  /** `final`: no retry will follow. */
  failed(data: WebhookDeliveryData, attemptsMade: number, error: Error, final: boolean): void;
  error(error: Error): void;
}

/**
 * The `webhook` queue's consumer. Retries follow the policy table's capped
 * exponential backoff, from the base the event was queued with.
 */
export class WebhookWorker {
  private readonly worker: Worker<WebhookDeliveryData, WebhookDeliveryResult, 'webhook'>;

  constructor(
    connection: RedisClient,
    prefix: string,
    concurrency: number,
    handler: WebhookHandler,
    events: WebhookWorkerEvents,
  ) {
    this.worker = new Worker<WebhookDeliveryData, WebhookDeliveryResult, 'webhook'>(
      QUEUE_NAMES.webhook,
      (job, token) => runWithSignals(job, token, () => handler(job.data, job.attemptsMade)),
      {
        connection,
        prefix,
        concurrency,
        settings: {
          backoffStrategy: (attemptsMade, _type, _err, job) => {
            const backoff = job?.opts.backoff;
            const base = typeof backoff === 'object' && typeof backoff.delay === 'number' ? backoff.delay : undefined;
            return webhookBackoffMs(attemptsMade, base);
          },
        },
      },
    );
    this.worker.on('error', (err) => events.error(err));
    this.worker.on('completed', (job, result) => events.delivered(job.data, result));
    this.worker.on('failed', (job, err) => {
      if (job) events.failed(job.data, job.attemptsMade, err, isFinalFailure(err, job.attemptsMade, job.opts.attempts));
    });
  }

  async close(): Promise<void> {
    await this.worker.close();
  }
}
