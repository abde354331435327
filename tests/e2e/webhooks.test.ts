/**
 * Webhooks: callback_url on submit, signed transcode.* events POSTed by
 * the worker process through the `webhook` queue, retried with backoff,
 * to a real receiver on loopback (WEBHOOK_ALLOW_PRIVATE on for it).
 */
import http from 'node:http';
import { mkdtemp, readFile, rm, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PermanentJobError, type WebhookEvent } from '@stream-server/jobs';
import { createRedis, TranscodeWorker, WebhookQueue } from '@stream-server/queue';
import { verifyWebhook } from '@stream-server/webhooks';
import { silentLogger } from '@stream-server/logger';
import { createWorkerApp } from '@stream-server/worker';
import { makeTrack } from '../support/media';
import { readJson, startStack, submit, waitForJob, type TestStack } from '../support/stack';

const SECRET = 'test-webhook-secret-0123456789abcdef';

interface Delivery {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly event: Record<string, unknown>;
}

/** A webhook receiver on loopback: /ok answers 200, /flaky 500 twice then 200, /gone 410. */
async function startReceiver(): Promise<{ url: string; deliveries: Delivery[]; close(): Promise<void> }> {
  const deliveries: Delivery[] = [];
  const flakyCalls = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const parsed: unknown = JSON.parse(body);
      const event = typeof parsed === 'object' && parsed !== null ? Object.fromEntries(Object.entries(parsed)) : {};
      const route = (req.url ?? '').split('?')[0] ?? '';
      deliveries.push({ path: route, headers: req.headers, body, event });
      let status = 200;
      if (route === '/gone') status = 410;
      if (route === '/flaky') {
        const id = String(req.headers['webhook-id']);
        const calls = (flakyCalls.get(id) ?? 0) + 1;
        flakyCalls.set(id, calls);
        status = calls <= 2 ? 500 : 200;
      }
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(status === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function expectSigned(delivery: Delivery): void {
  expect(delivery.headers['content-type']).toBe('application/json');
  expect(delivery.headers['webhook-id']).toBe(delivery.event['id']);
  const timestamp = String(delivery.headers['webhook-timestamp']);
  expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
  const signature = String(delivery.headers['webhook-signature']);
  expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
  expect(verifyWebhook(SECRET, { body: delivery.body, timestamp, signature })).toBe(true);
  // Another secret, or a body changed by one byte, does not verify.
  expect(verifyWebhook(`${SECRET}x`, { body: delivery.body, timestamp, signature })).toBe(false);
  expect(verifyWebhook(SECRET, { body: `${delivery.body} `, timestamp, signature })).toBe(false);
}

let dir: string;
let track: Blob;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'webhooks-'));
  track = new Blob([await readFile(await makeTrack(dir, 'hook', { seconds: 2 }))]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('deliveries', () => {
  let stack: TestStack;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
    // No worker at first: jobs wait, so one can be cancelled and one broken before work starts.
    stack = await startStack('webhooks', {
      workers: 0,
      env: { WEBHOOK_SECRET: SECRET, WEBHOOK_ALLOW_PRIVATE: 'true' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it('delivers completed, failed and cancelled events, signed, with stable ids, retrying a failing receiver', async () => {
    const jobOf = async (route: string, name: string): Promise<string> => {
      const { status, body } = await submit(stack.baseUrl, track, `${name}.wav`, {
        callback_url: `${receiver.url}${route}?job=${name}`,
      });
      expect(status).toBe(200);
      return String(body['job_id']);
    };
    // Its upload vanishes before a worker takes it: it fails in the worker.
    const failing = await jobOf('/ok', 'failing');
    const [upload] = await stack.leftovers();
    await unlink(path.join(stack.config.storageDir, String(upload)));
    const completing = await jobOf('/ok', 'completing');
    const flaky = await jobOf('/flaky', 'flaky');
    const gone = await jobOf('/gone', 'gone');
    const cancelled = await jobOf('/ok', 'cancelled');
    // Cancelled while waiting: no worker will see it, the API queues its event.
    expect((await fetch(`${stack.baseUrl}/v1/stream/job/${cancelled}`, { method: 'DELETE' })).status).toBe(200);
    expect((await readJson(await fetch(`${stack.baseUrl}/v1/stream/job/${completing}`)))['callback_url']).toBe(
      `${receiver.url}/ok?job=completing`,
    );

    const worker = createWorkerApp(stack.config, silentLogger, { webhookBackoffBaseMs: 200 });
    stack.workers.push(worker);
    await worker.start();

    const byId = (id: string) => receiver.deliveries.filter((delivery) => delivery.event['id'] === id);
    const first = (id: string) => until(id, () => byId(id)[0]);

    const completed = await first(`${completing}:transcode.completed`);
    expectSigned(completed);
    expect(completed.path).toBe('/ok');
    expect(completed.event).toMatchObject({
      type: 'transcode.completed',
      created_at: expect.any(String),
      data: {
        job_id: completing,
        track_id: 'completing',
        status: 'Completed',
        error: null,
        manifest_url: `/v1/stream/hls/${completing}/index.m3u8`,
      },
    });

    const failed = await first(`${failing}:transcode.failed`);
    expectSigned(failed);
    expect(failed.event).toMatchObject({
      type: 'transcode.failed',
      data: { job_id: failing, status: expect.stringMatching(/^Failed\(/), manifest_url: null },
    });
    const failedBody = JSON.parse(failed.body) as { data: { error: unknown } };
    expect(failedBody.data.error).toMatch(/missing/);

    const cancel = await first(`${cancelled}:transcode.cancelled`);
    expectSigned(cancel);
    expect(cancel.event).toMatchObject({
      type: 'transcode.cancelled',
      data: { job_id: cancelled, status: 'Cancelled', error: null },
    });

    // 500, 500, then 200: delivered on the third try, same id and body each time, each signed afresh.
    const flakyId = `${flaky}:transcode.completed`;
    await until('the third try', () => (byId(flakyId).length >= 3 ? true : undefined));
    const tries = byId(flakyId);
    for (const attempt of tries) expectSigned(attempt);
    expect(new Set(tries.map((attempt) => attempt.body)).size).toBe(1);

    // 410 Gone: given up at once. One event per job, whatever else happened.
    await until('the 410', () => byId(`${gone}:transcode.completed`)[0]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(tries).toHaveLength(3);
    expect(byId(`${gone}:transcode.completed`)).toHaveLength(1);
    // Each job that ran was playable first: that event is told too, on its own id.
    const endings = receiver.deliveries.filter((delivery) => delivery.event['type'] !== 'transcode.playable');
    expect(endings).toHaveLength(7);
    expect(byId(`${completing}:transcode.playable`)).toHaveLength(1);
    expect(byId(`${cancelled}:transcode.playable`)).toEqual([]);

    // Queueing the same event again (a retried report, a second instance) is a no-op.
    const redis = createRedis(stack.config.redis, 'worker');
    const queue = new WebhookQueue(redis, {
      prefix: stack.config.queuePrefix,
      retryHours: 1,
      retentionDays: 1,
      backoffBaseMs: 200,
    });
    try {
      const event: WebhookEvent = JSON.parse(completed.body);
      await queue.enqueue(`${receiver.url}/ok`, event);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(byId(event.id)).toHaveLength(1);
    } finally {
      await queue.close();
      await redis.quit();
    }
    expect((await waitForJob(stack.baseUrl, flaky)).status).toBe('Completed');
  }, 40_000);

  it("reports jobs that ended while no worker relayed events once a worker is back, and drops a failed one's upload", async () => {
    // Every worker (and its relay) goes away; the fleet's cursor stays in Redis.
    for (const worker of stack.workers.splice(0)) await worker.stop();
    const submitOrphan = async (name: string) => {
      const { body } = await submit(stack.baseUrl, track, `${name}.wav`, {
        callback_url: `${receiver.url}/ok?job=${name}`,
      });
      return String(body['job_id']);
    };
    const orphan = await submitOrphan('orphan');
    const doomed = await submitOrphan('doomed');
    expect(await stack.leftovers()).toHaveLength(2);
    // Workers that end the jobs and die before reporting them, as a SIGKILL
    // right after BullMQ's completion, or BullMQ failing a job for stalling,
    // would leave them: a bare queue worker, none of our processor or relay.
    const connection = createRedis(stack.config.redis, 'worker');
    const bare = new TranscodeWorker(
      connection,
      async (job) => {
        if (job.data.trackId === 'doomed') throw new PermanentJobError('job stalled more than allowable limit');
        return { segments: 1, outputDurationSeconds: 1 };
      },
      { prefix: stack.config.queuePrefix, concurrency: 1, lockSeconds: 30 },
    );
    try {
      expect((await waitForJob(stack.baseUrl, orphan)).status).toBe('Completed');
      expect((await waitForJob(stack.baseUrl, doomed)).status).toMatch(/^Failed\(/);
    } finally {
      await bare.close();
      await connection.quit();
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const completedId = `${orphan}:transcode.completed`;
    const failedId = `${doomed}:transcode.failed`;
    const delivered = (id: string) => receiver.deliveries.find((candidate) => candidate.event['id'] === id);
    expect(delivered(completedId) ?? delivered(failedId)).toBeUndefined();
    // Nobody cleaned up after the failed job (the completed one's upload is the bare worker's to keep).
    expect(await stack.leftovers()).toHaveLength(2);

    const worker = createWorkerApp(stack.config, silentLogger, { webhookBackoffBaseMs: 200 });
    stack.workers.push(worker);
    await worker.start();
    const completed = await until(completedId, () => delivered(completedId));
    expectSigned(completed);
    expect(completed.event).toMatchObject({
      type: 'transcode.completed',
      data: { job_id: orphan, status: 'Completed' },
    });
    const failed = await until(failedId, () => delivered(failedId));
    expectSigned(failed);
    expect(failed.event).toMatchObject({
      type: 'transcode.failed',
      data: { job_id: doomed, error: 'job stalled more than allowable limit' },
    });
    expect(await stack.leftovers()).toHaveLength(1);
  }, 30_000);
});

describe('refusals', () => {
  let secured: TestStack;
  let open: TestStack;
  beforeAll(async () => {
    secured = await startStack('webhooks-private', { workers: 0, env: { WEBHOOK_SECRET: SECRET } });
    open = await startStack('webhooks-off', { workers: 0 });
  });
  afterAll(async () => {
    await secured?.stop();
    await open?.stop();
  });

  it.each([
    ['loopback', 'http://127.0.0.1:8080/hook'],
    ['loopback by name', 'http://localhost/hook'],
    ['IPv6 loopback', 'http://[::1]/hook'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/hook'],
    ['a private network', 'https://10.1.2.3/hook'],
    ['cloud metadata (link-local)', 'http://169.254.169.254/latest/meta-data'],
    ['unique-local IPv6', 'http://[fd00::1]/hook'],
    ['the unspecified address', 'http://0.0.0.0/hook'],
    ['not http', 'ftp://example.com/hook'],
    ['credentials', 'https://user:pass@example.com/hook'],
    ['not a URL', 'hook me'],
    ['too long', `https://example.com/${'a'.repeat(2100)}`],
  ])('refuses %s with 400 INVALID_CALLBACK_URL, leaving nothing behind', async (_label, url) => {
    const { status, body } = await submit(secured.baseUrl, track, 'x.wav', { callback_url: url });
    expect({ status, code: body['code'] }).toEqual({ status: 400, code: 'INVALID_CALLBACK_URL' });
    expect(await secured.settledLeftovers()).toEqual([]);
  });

  it('refuses any callback_url with 400 WEBHOOKS_DISABLED when WEBHOOK_SECRET is not set', async () => {
    const { status, body } = await submit(open.baseUrl, track, 'x.wav', { callback_url: 'https://example.com/hook' });
    expect(status).toBe(400);
    expect(body['code']).toBe('WEBHOOKS_DISABLED');
    expect(String(body['error'])).toMatch(/WEBHOOK_SECRET/);
    // Without callback_url, submits work as before.
    expect((await submit(open.baseUrl, track, 'x.wav')).status).toBe(200);
  });
});
