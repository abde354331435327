/**
 * Outages answer truthfully: a Redis that is stopped (SIGSTOP, as in a
 * network partition) or refusing writes (out of memory), and a full disk,
 * each give a prompt 503 / 507 JSON that says which, and /health tells.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { pingRedis } from '@stream-server/queue';
import { makeTrack } from '../support/media';
import { freePort } from '../support/processes';
import { readJson, startStack, submit, type TestStack } from '../support/stack';

let dir: string;
let track: Blob;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'outages-'));
  track = new Blob([await readFile(await makeTrack(dir, 'tone', { seconds: 2 }))]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A throw-away redis-server of our own (no persistence), so it can be stopped and starved. */
async function ownRedis(): Promise<{ url: string; process: ChildProcess; client: Redis }> {
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  for (let tries = 0; !(await pingRedis(url)); tries += 1) {
    if (tries > 50) throw new Error('redis-server did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const client = new Redis(url, { retryStrategy: () => 100 });
  client.on('error', () => undefined);
  return { url, process: server, client };
}

/** Answers of every Redis-backed route, each within `withinMs`. */
async function answers(stack: TestStack, jobId: string, withinMs: number) {
  // A route that hangs fails the test instead of the test run.
  const limit = () => AbortSignal.timeout(withinMs + 4_000);
  const routes: Array<[string, () => Promise<Response>]> = [
    ['submit', () => fetch(`${stack.baseUrl}/v1/stream/transcode`, { method: 'POST', body: form(), signal: limit() })],
    ['job', () => fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`, { signal: limit() })],
    ['cancel', () => fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`, { method: 'DELETE', signal: limit() })],
    ['list', () => fetch(`${stack.baseUrl}/v1/stream/jobs`, { signal: limit() })],
    ['stats', () => fetch(`${stack.baseUrl}/v1/stream/queue/stats`, { signal: limit() })],
    ['board', () => fetch(`${stack.baseUrl}/admin/queues/api/queues`, { signal: limit() })],
    ['events', () => fetch(`${stack.baseUrl}/v1/stream/job/${jobId}/events`, { signal: limit() })],
    ['health', () => fetch(`${stack.baseUrl}/health`, { signal: limit() })],
  ];
  const results: Record<string, { status: number; code: unknown; error: unknown; ms: number }> = {};
  await Promise.all(
    routes.map(async ([name, call]) => {
      const started = Date.now();
      const response = await call().catch((err: unknown) => {
        throw new Error(`${name}: ${String(err)}`);
      });
      const body = await readJson(response);
      results[name] = { status: response.status, code: body['code'], error: body['error'], ms: Date.now() - started };
    }),
  );
  for (const [name, result] of Object.entries(results)) {
    expect({ name, fast: result.ms <= withinMs }).toEqual({ name, fast: true });
  }
  return results;
}

function form(): FormData {
  const data = new FormData();
  data.append('file', track, 'tone.wav');
  return data;
}

describe('Redis stopped or starved', () => {
  let redis: Awaited<ReturnType<typeof ownRedis>>;
  let stack: TestStack;

  beforeAll(async () => {
    redis = await ownRedis();
    stack = await startStack('outages', { workers: 0, env: { REDIS_URL: redis.url } });
  });

  afterAll(async () => {
    redis?.process.kill('SIGCONT');
    await stack?.stop();
    redis?.client.disconnect();
    redis?.process.kill('SIGKILL');
  });

  it('answers 503 JSON within seconds on every route while Redis is stopped (SIGSTOP), and recovers', async () => {
    const queued = await submit(stack.baseUrl, track, 'tone.wav');
    expect(queued.status).toBe(200);
    const jobId = String(queued.body['job_id']);
    const uploadsBefore = await readdir(path.join(stack.config.storageDir, 'uploads'));

    redis.process.kill('SIGSTOP');
    try {
      const results = await answers(stack, jobId, 6_000);
      for (const [name, result] of Object.entries(results)) {
        expect({ name, status: result.status }).toEqual({ name, status: 503 });
      }
      expect(results['submit']?.error).toMatch(/not answering/);
      expect(results['health']?.code).toBe('REDIS_UNAVAILABLE');
      // The refused upload is not kept.
      expect(await stack.settledLeftovers()).toEqual(uploadsBefore.map((name) => `uploads/${name}`));
    } finally {
      redis.process.kill('SIGCONT');
    }
    const deadline = Date.now() + 10_000;
    while ((await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`)).status !== 200) {
      if (Date.now() > deadline) throw new Error('the API did not recover after SIGCONT');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await fetch(`${stack.baseUrl}/health`)).status).toBe(200);
  }, 60_000);

  it('says Redis refuses writes when it is out of memory, and /health says so too', async () => {
    await redis.client.config('SET', 'maxmemory-policy', 'noeviction');
    await redis.client.config('SET', 'maxmemory', '1');
    try {
      const refused = await submit(stack.baseUrl, track, 'tone.wav');
      expect(refused.status).toBe(503);
      expect(refused.body).toEqual({ error: expect.stringMatching(/out of memory/), code: 'QUEUE_UNAVAILABLE' });
      const health = await fetch(`${stack.baseUrl}/health`);
      expect(health.status).toBe(503);
      expect(await readJson(health)).toMatchObject({
        redis: 'down',
        code: 'REDIS_UNAVAILABLE',
        error: expect.stringMatching(/out of memory/),
      });
    } finally {
      await redis.client.config('SET', 'maxmemory', '0');
    }
    expect((await fetch(`${stack.baseUrl}/health`)).status).toBe(200);
  });
});

describe('a full disk', () => {
  let stack: TestStack;
  let uploadsDir: string;
  let big: Blob;

  beforeAll(async () => {
    big = new Blob([await readFile(await makeTrack(dir, 'big', { seconds: 30 }))]);
    stack = await startStack('disk-full', { workers: 0 });
    // A 3 MiB tmpfs over the stack's uploads/ (the tests run as root, as CI does).
    uploadsDir = path.join(stack.config.storageDir, 'uploads');
    const mounted = spawn('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', uploadsDir], { stdio: 'ignore' });
    if ((await new Promise((resolve) => mounted.once('exit', resolve))) !== 0) {
      throw new Error('mounting a tmpfs needs root');
    }
  });

  afterAll(async () => {
    const unmounted = spawn('umount', [uploadsDir], { stdio: 'ignore' });
    await new Promise((resolve) => unmounted.once('exit', resolve));
    await stack?.stop();
  });

  it('answers 507 STORAGE_FULL for an upload that does not fit, and leaves nothing', async () => {
    expect(big.size).toBeGreaterThan(4 * 1024 * 1024);
    const refused = await submit(stack.baseUrl, big, 'big.wav');
    expect(refused).toEqual({
      status: 507,
      body: { error: expect.stringMatching(/no storage space/), code: 'STORAGE_FULL' },
    });
    expect(await stack.settledLeftovers()).toEqual([]);
  });

  it('/health reports a full storage volume', async () => {
    expect((await fetch(`${stack.baseUrl}/health`)).status).toBe(200);
    const filler = path.join(uploadsDir, 'filler');
    await writeFile(filler, Buffer.alloc(3 * 1024 * 1024)).catch(() => undefined);
    try {
      const health = await fetch(`${stack.baseUrl}/health`);
      expect(health.status).toBe(503);
      expect(await readJson(health)).toMatchObject({ redis: 'up', storage: 'full', code: 'STORAGE_FULL' });
    } finally {
      await rm(filler, { force: true });
    }
  });
});
