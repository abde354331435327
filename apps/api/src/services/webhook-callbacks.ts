import { InvalidInputError } from '@stream-server/errors';
import type { JobSnapshot, WebhookEvent } from '@stream-server/jobs';
import { checkCallbackTarget, INVALID_CALLBACK_URL, webhookEventFor } from '@stream-server/webhooks';
import { describeError, type Logger } from '@stream-server/logger';

/** The webhook settings a submit needs (a subset of Config). */
export interface CallbackSettings {
  readonly webhookSecret: string | undefined;
  readonly webhookAllowPrivate: boolean;
}

/**
 * The submit form's optional `callback_url`, checked: absent or empty →
 * undefined; without WEBHOOK_SECRET → 400 WEBHOOKS_DISABLED (we would have
 * nothing to sign with, and unsigned calls cannot be trusted by the
 * receiver); otherwise an http(s) URL on a public address (DNS resolved
 * now, and again at each delivery) → its normalised form; else 400
 * INVALID_CALLBACK_URL.
 */
export async function callbackUrlOf(
  fields: Readonly<Record<string, unknown>>,
  settings: CallbackSettings,
): Promise<string | undefined> {
  const value = fields['callback_url'];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string')
    throw new InvalidInputError(INVALID_CALLBACK_URL, 'callback_url must be a single http(s) URL.');
  if (!settings.webhookSecret) {
    throw new InvalidInputError(
      'WEBHOOKS_DISABLED',
      'Webhooks are not enabled on this server (WEBHOOK_SECRET is not set), so callback_url cannot be used; poll the job or watch its /events stream instead.',
    );
  }
  const target = await checkCallbackTarget(value, { allowPrivate: settings.webhookAllowPrivate });
  return target.url.href;
}

/** Where webhook deliveries are queued (and retried). */
export interface WebhookOutbox {
  enqueue(url: string, event: WebhookEvent): Promise<void>;
}

/**
 * The API's share of webhooks: a job cancelled while still waiting never
 * reaches a worker, so the API queues its `transcode.cancelled` event
 * (running jobs are reported by the worker that stops them). A failure to
 * queue is logged, never turned into a failed cancel.
 */
export class WebhookNotices {
  constructor(
    private readonly queue: WebhookOutbox,
    private readonly logger: Logger,
  ) {}

  async cancelled(job: JobSnapshot): Promise<void> {
    const url = job.data.callbackUrl;
    if (url === undefined) return;
    const event = webhookEventFor(job);
    if (event === null) return;
    try {
      await this.queue.enqueue(url, event);
    } catch (err) {
      this.logger.warn('webhook not queued', { job_id: job.id, event_id: event.id, ...describeError(err) });
    }
  }
}
