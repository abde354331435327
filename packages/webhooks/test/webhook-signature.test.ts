import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhook } from '../src/webhook-signature';

const SECRET = 'a-webhook-secret-of-at-least-32-chars!';
const BODY = '{"id":"j:transcode.completed","type":"transcode.completed"}';
const NOW = 1_900_000_000;

describe('webhook signatures', () => {
  it('signs `<timestamp>.<body>` with HMAC-SHA256, as v1=<hex>', () => {
    const expected = createHmac('sha256', SECRET).update(`${NOW}.${BODY}`).digest('hex');
    expect(signWebhook(SECRET, NOW, BODY)).toBe(`v1=${expected}`);
  });

  it('verifies its own signature and nothing else', () => {
    const signature = signWebhook(SECRET, NOW, BODY);
    const timestamp = String(NOW);
    expect(verifyWebhook(SECRET, { body: BODY, timestamp, signature }, { now: NOW })).toBe(true);
    expect(
      verifyWebhook('another-secret-of-at-least-32-chars!!', { body: BODY, timestamp, signature }, { now: NOW }),
    ).toBe(false);
    expect(verifyWebhook(SECRET, { body: `${BODY} `, timestamp, signature }, { now: NOW })).toBe(false);
    // The timestamp is signed: moving it breaks the signature.
    expect(verifyWebhook(SECRET, { body: BODY, timestamp: String(NOW + 1), signature }, { now: NOW })).toBe(false);
    expect(
      verifyWebhook(SECRET, { body: BODY, timestamp, signature: signature.replace('v1=', 'v0=') }, { now: NOW }),
    ).toBe(false);
    expect(verifyWebhook(SECRET, { body: BODY, timestamp, signature: 'v1=abc' }, { now: NOW })).toBe(false);
    expect(verifyWebhook(SECRET, { body: BODY, timestamp: undefined, signature }, { now: NOW })).toBe(false);
    expect(verifyWebhook(SECRET, { body: BODY, timestamp: '12abc', signature }, { now: NOW })).toBe(false);
  });

  it('accepts any of several v1 entries (secret rotation)', () => {
    const signature = `v1=${'0'.repeat(64)} ${signWebhook(SECRET, NOW, BODY)}`;
    expect(verifyWebhook(SECRET, { body: BODY, timestamp: String(NOW), signature }, { now: NOW })).toBe(true);
  });

  it('refuses timestamps outside the tolerance (replays)', () => {
    const signature = signWebhook(SECRET, NOW, BODY);
    const delivery = { body: BODY, timestamp: String(NOW), signature };
    expect(verifyWebhook(SECRET, delivery, { now: NOW + 300 })).toBe(true);
    expect(verifyWebhook(SECRET, delivery, { now: NOW + 301 })).toBe(false);
    expect(verifyWebhook(SECRET, delivery, { now: NOW - 301 })).toBe(false);
    expect(verifyWebhook(SECRET, delivery, { now: NOW + 3600, toleranceSeconds: 3600 })).toBe(true);
  });
});
