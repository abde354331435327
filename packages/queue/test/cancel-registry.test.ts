/** Cancel versus publish on a real Redis: exactly one of them wins, whatever the order. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { CancelRegistry } from '../src/cancel-registry';
import { testPayload } from './payloads';

const prefix = `test-cancel-registry-${randomUUID().slice(0, 8)}`;
let redis: Redis;
let registry: CancelRegistry;

beforeAll(() => {
  redis = new Redis(process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  registry = new CancelRegistry(redis, prefix, 60);
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

function record() {
  return { cancelledAt: Date.now(), createdAt: Date.now(), data: testPayload('cancel') };
}

it('a cancel that comes first wins: the publish is refused', async () => {
  const cancel = record();
  expect(await registry.mark(cancel)).toBe('marked');
  expect(await registry.mark(cancel)).toBe('already-cancelled');
  expect(await registry.seal(cancel.data.jobId)).toBe(false);
  expect(await registry.isCancelled(cancel.data.jobId)).toBe(true);
});

it('a seal that comes first wins: the cancel is refused and leaves no marker', async () => {
  const cancel = record();
  expect(await registry.seal(cancel.data.jobId)).toBe(true);
  expect(await registry.seal(cancel.data.jobId)).toBe(true);
  expect(await registry.mark(cancel)).toBe('sealed');
  expect(await registry.isCancelled(cancel.data.jobId)).toBe(false);
  expect(await redis.ttl(`${prefix}:sealed:${cancel.data.jobId}`)).toBeGreaterThan(0);
});

it('racing many times, never both', async () => {
  for (let i = 0; i < 200; i += 1) {
    const cancel = record();
    const [marked, sealed] = await Promise.all([registry.mark(cancel), registry.seal(cancel.data.jobId)]);
    expect([marked === 'marked', sealed]).toContainEqual(true);
    expect(marked === 'marked' && sealed).toBe(false);
  }
});
