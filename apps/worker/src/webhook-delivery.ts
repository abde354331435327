import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { PermanentJobError, type WebhookDeliveryData } from '@stream-server/jobs';
import { WebhookWorker, type RedisClient } from '@stream-server/queue';
import {
  firstRefusedAddress,
  resolveCallbackHost,
  signWebhook,
  WEBHOOK_HEADERS,
  type TargetAddress,
} from '@stream-server/webhooks';
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
  const url = new URL(data.url);
  let addresses: readonly TargetAddress[];
  try {
    addresses = await resolveCallbackHost(url);
  } catch (err) {
    // DNS trouble may pass: retry.
    throw new Error(err instanceof Error ? err.message : String(err));
  }
  const refused = settings.allowPrivate ? undefined : firstRefusedAddress(addresses);
  if (refused) throw new PermanentJobError(`callback host now resolves to a non-public address (${refused.address})`);

  const body = JSON.stringify(data.event);
  const timestamp = Math.floor(now / 1000);
  const status = await post(url, body, addresses, settings.timeoutMs, {
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
  url: URL,
  body: string,
  addresses: readonly TargetAddress[],
  timeoutMs: number,
  headers: Record<string, string>,
): Promise<number> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        lookup: pinnedLookup(addresses),
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

/**
 * A DNS lookup that answers only with the addresses already checked, so
 * the socket connects where the check looked (host names stay in the
 * request for Host and TLS SNI/certificate checks).
 */
function pinnedLookup(addresses: readonly TargetAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const family = options.family === 4 || options.family === 6 ? options.family : null;
    const matching = family === null ? addresses : addresses.filter((candidate) => candidate.family === family);
    const first = matching[0];
    if (!first) {
      callback(Object.assign(new Error('no checked address of the requested family'), { code: 'ENOTFOUND' }), '', 0);
      return;
    }
    if (options.all)
      callback(
        null,
        matching.map((candidate) => ({ address: candidate.address, family: candidate.family })),
      );
    else callback(null, first.address, first.family);
  };
}
