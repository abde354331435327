import type { Config } from '@stream-server/config';
import {
  JobEndingStream,
  WebhookQueue,
  type TranscodeQueue,
  type WebhookWorker,
  type RedisClient,
} from '@stream-server/queue';
import type { Logger } from '@stream-server/logger';
import { runCleanup } from './run-cleanup';
import { createWebhookDeliveryWorker } from './webhook-delivery';
import { WebhookRelay, webhookRelayCursorKey, type DropUpload } from './webhook-relay';

export interface WebhookWiringOptions {
  /** First webhook retry delay (default: the policy table's). */
  readonly backoffBaseMs?: number | undefined;
}

/**
 * Webhooks inside a worker: the relay queues the event of every job with a
 * callback_url that ends for good; only a worker holding WEBHOOK_SECRET
 * also delivers them (it has to sign).
 */
export class WebhookWiring {
  private webhooks: WebhookQueue | undefined;
  private relay: WebhookRelay | undefined;
  private deliveries: WebhookWorker | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly jobs: TranscodeQueue,
    private readonly config: Config,
    private readonly dropUpload: DropUpload,
    private readonly logger: Logger,
    private readonly options: WebhookWiringOptions = {},
  ) {}

  async start(): Promise<void> {
    const { config } = this;
    this.webhooks = new WebhookQueue(this.redis, {
      prefix: config.queuePrefix,
      retryHours: config.webhookRetryHours,
      retentionDays: config.jobRetentionDays,
      ...(this.options.backoffBaseMs === undefined ? {} : { backoffBaseMs: this.options.backoffBaseMs }),
    });
    this.relay = new WebhookRelay(
      this.redis,
      this.jobs,
      this.webhooks,
      { stream: new JobEndingStream(this.jobs.eventStreamKey()), cursorKey: webhookRelayCursorKey(config.queuePrefix) },
      this.logger,
      this.dropUpload,
    );
    await this.relay.start();
    if (config.webhookSecret) {
      this.deliveries = createWebhookDeliveryWorker(
        this.redis,
        config.queuePrefix,
        {
          secret: config.webhookSecret,
          allowPrivate: config.webhookAllowPrivate,
          timeoutMs: config.webhookTimeoutSeconds * 1000,
        },
        this.logger,
      );
    }
  }

  /** Queues the reports of the jobs that just ended, then lets in-flight deliveries finish. */
  async stop(): Promise<void> {
    await runCleanup(() => this.relay?.stop(), 'stopping the webhook relay', this.logger);
    await runCleanup(() => this.deliveries?.close(), 'closing the webhook delivery worker', this.logger);
    await runCleanup(() => this.webhooks?.close(), 'closing the webhook queue', this.logger);
  }
}
