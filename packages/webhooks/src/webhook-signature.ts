import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header names of a delivery (Standard Webhooks style, Mux-like signature). */
export const WEBHOOK_HEADERS = {
  id: 'Webhook-Id',
  timestamp: 'Webhook-Timestamp',
  signature: 'Webhook-Signature',
} as const;

/** How far a delivery's timestamp may be from the receiver's clock (replay window). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * The `Webhook-Signature` value: `v1=` and the hex HMAC-SHA256, keyed with
 * WEBHOOK_SECRET, of `<timestamp>.<raw body>`. Signing the timestamp with
 * the body stops a captured delivery from being replayed later with a
 * fresh timestamp.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${hmacHex(secret, timestamp, body)}`;
}

export interface WebhookToVerify {
  /** The raw request body, exactly as received (not re-serialised JSON). */
  readonly body: string;
  /** `Webhook-Timestamp` header. */
  readonly timestamp: string | undefined;
  /** `Webhook-Signature` header; several space-separated `v1=` entries are allowed (secret rotation). */
  readonly signature: string | undefined;
}

export interface VerifyOptions {
  readonly toleranceSeconds?: number;
  /** Unix seconds; defaults to the current time. */
  readonly now?: number;
}

/**
 * For receivers: true when the delivery was signed with `secret` and its
 * timestamp is within the tolerance. Compares in constant time.
 */
export function verifyWebhook(secret: string, delivery: WebhookToVerify, options: VerifyOptions = {}): boolean {
  const { timestamp, signature, body } = delivery;
  if (timestamp === undefined || signature === undefined || !/^[0-9]{1,12}$/.test(timestamp)) return false;
  const seconds = Number(timestamp);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - seconds) > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  const expected = Buffer.from(hmacHex(secret, seconds, body), 'hex');
  return signature
    .split(/\s+/)
    .filter((entry) => entry.startsWith('v1='))
    .some((entry) => {
      const candidate = entry.slice(3);
      if (!/^[0-9a-f]{64}$/i.test(candidate)) return false;
      return timingSafeEqual(Buffer.from(candidate, 'hex'), expected);
    });
}

function hmacHex(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}
