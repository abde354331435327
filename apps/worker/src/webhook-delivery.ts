import http from 'node:http';
import https from 'node:https';
import { PermanentJobError, type WebhookDeliveryData } from '@stream-server/jobs';
import {
  checkOutboundTarget,
  ForbiddenAddressError,
  pinnedLookup,
  UnresolvableHostError,
  type CheckedTarget,
} from '@stream-server/outbound';
import { WebhookWorker, type RedisClient } from '@stream-server/queue';
import { signWebhook, WEBHOOK_HEADERS } from '@stream-server/webhooks';
import type { Logger } from '@stream-server/logger';

export interface WebhookDeliverySettings {
  /** WEBHOOK_SECRET: signs every delivery. */
  readonly secret: string;
  readonly allowPrivate: boolean;
  /** WEBHOOK_TIMEOUT_SECONDS, in ms: the whole request, connect to last byte. */
  readonly timeoutMs: number;
}

/** Deliveries one worker process makes at once (they mostly wait on the network). */
const WEBHOOK_CONCURRENCY = 10;

/** Enough of a receiver's answer to log; the rest is not read. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * One delivery attempt: resolve the host and refuse private addresses
 * again (the DNS answer may have changed since the submit), then POST the
 * signed event to exactly the addresses checked. Redirects are never
 * followed. 2xx: delivered. 410 Gone: the receiver wants no more, given
 * up at once. Anything else (other statuses, timeouts, network errors) is
 * thrown so the queue retries it with backoff.
 */
async function deliverWebhook(
  data: WebhookDeliveryData,
  settings: WebhookDeliverySettings,
  now = Date.now(),
): Promise<number> {
  const target = await checkDeliveryTarget(new URL(data.url), settings.allowPrivate);
  const body = JSON.stringify(data.event);
  const timestamp = Math.floor(now / 1000);
  const status = await post(target, body, settings.timeoutMs, {
    'Content-Type': 'application/json',
    'User-Agent': 'stream-server-webhooks/1',
    [WEBHOOK_HEADERS.id]: data.event.id,
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
    [WEBHOOK_HEADERS.signature]: signWebhook(settings.secret, timestamp, body),
  });
  if (status >= 200 && status < 300) return status;
  if (status === 410) throw new PermanentJobError('receiver answered 410 Gone');
  throw new Error(`receiver answered ${status}`);
}

/**
 * The shared outbound guard, with the queue's view of its refusals: a
 * host that now resolves to a non-public address fails the delivery for
 * good; DNS trouble may pass, so it is retried.
 */
async function checkDeliveryTarget(url: URL, allowPrivate: boolean): Promise<CheckedTarget> {
  try {
    return await checkOutboundTarget(url, { allowPrivate });
  } catch (err) {
    if (err instanceof ForbiddenAddressError) {
      throw new PermanentJobError(`callback host now resolves to a non-public address (${err.address})`);
    }
    if (err instanceof UnresolvableHostError)
      throw new Error(`The host of callback_url (${err.host}) does not resolve.`);
    throw err;
  }
}

/**
 * The `webhook` queue's worker, inside the worker process. The backoff is
 * the policy table's capped exponential, with the base the event was
 * queued with.
 */
export function createWebhookDeliveryWorker(
  connection: RedisClient,
  prefix: string,
  settings: WebhookDeliverySettings,
  logger: Logger,
): WebhookWorker {
  return new WebhookWorker(
    connection,
    prefix,
    WEBHOOK_CONCURRENCY,
    async (data, attemptsMade) => {
      if (data.version !== 1)
        throw new PermanentJobError(`unsupported webhook payload version ${String(data.version)}`);
      const status = await deliverWebhook(data, settings);
      return { status, attempts: attemptsMade + 1 };
    },
    {
      error: (err) => logger.warn('webhook worker error', { error: err.message }),
      delivered: (data, result) =>
        logger.info('webhook delivered', {
          event_id: data.event.id,
          job_id: data.event.data.job_id,
          status: result.status,
          attempt: result.attempts,
        }),
      failed: (data, attemptsMade, err, final) => {
        const meta = {
          event_id: data.event.id,
          job_id: data.event.data.job_id,
          attempt: attemptsMade,
          reason: err.message,
        };
        if (final) logger.warn('webhook given up', meta);
        else logger.info('webhook attempt failed, will retry', meta);
      },
    },
  );
}

function post(
  target: CheckedTarget,
  body: string,
  timeoutMs: number,
  headers: Record<string, string>,
): Promise<number> {
  const client = target.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      target.url,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        // Connect only to the addresses the guard checked (DNS rebinding).
        lookup: pinnedLookup(target.addresses),
        signal: AbortSignal.timeout(timeoutMs),
        // A fresh connection per delivery: a pooled socket could be to an
        // address resolved for another event.
        agent: false,
      },
      (response) => {
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) response.destroy();
        });
        response.on('error', () => undefined);
        response.on('close', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
