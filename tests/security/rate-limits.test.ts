/**
 * Rate limits counted in Redis: two API instances on one Redis share one
 * budget; over it, 429 JSON with Retry-After, before any upload is stored;
 * with auth on, each API key has its own budget.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createApiServer, type ApiServer } from '@stream-server/api';
import { silentLogger } from '@stream-server/logger';
import { makeTrack } from '../support/media';
import { readJson, startStack, type TestStack } from '../support/stack';

const KEY_A = 'key-a-0123456789abcdef';
const KEY_B = 'key-b-0123456789abcdef';

let dir: string;
let wav: Blob;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rate-'));
  wav = new Blob([await readFile(await makeTrack(dir, 'tiny', { seconds: 1, sampleRate: 8000, channels: 1 }))]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A second API instance on the same Redis, prefix and storage. */
async function secondInstance(stack: TestStack): Promise<{ api: ApiServer; baseUrl: string }> {
  const api = createApiServer(stack.config, silentLogger);
  const port = await api.start();
  return { api, baseUrl: `http://127.0.0.1:${port}` };
}

function form(): FormData {
  const body = new FormData();
  body.append('file', wav, 'tiny.wav');
  return body;
}

it('shares one read budget between two API instances and answers 429 with Retry-After', async () => {
  const stack = await startStack('rate-reads', { workers: 0, env: { RATE_LIMIT_READS_PER_MINUTE: '10' } });
  const other = await secondInstance(stack);
  try {
    const id = '550e8400-e29b-41d4-a716-446655440000';
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const base = i % 2 === 0 ? stack.baseUrl : other.baseUrl;
      statuses.push((await fetch(`${base}/v1/stream/job/${id}`)).status);
    }
    expect(statuses).toEqual(Array(10).fill(404));
    for (const base of [stack.baseUrl, other.baseUrl]) {
      const limited = await fetch(`${base}/v1/stream/jobs`);
      expect(limited.status).toBe(429);
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(await readJson(limited)).toEqual({ error: expect.stringContaining('10 a minute'), code: 'RATE_LIMITED' });
    }
    // Health is never limited.
    expect((await fetch(`${stack.baseUrl}/health`)).status).toBe(200);
  } finally {
    await other.api.stop();
    await stack.stop();
  }
});

it('limits submits before storing the upload', async () => {
  const stack = await startStack('rate-submits', { workers: 0, env: { RATE_LIMIT_SUBMITS_PER_MINUTE: '2' } });
  try {
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      codes.push((await fetch(`${stack.baseUrl}/v1/stream/transcode`, { method: 'POST', body: form() })).status);
    }
    expect(codes).toEqual([200, 200, 429, 429]);
    expect((await stack.leftovers()).length).toBe(2); // the two accepted uploads only
  } finally {
    await stack.stop();
  }
});

it('gives each API key its own budget when auth is on', async () => {
  const stack = await startStack('rate-keys', {
    workers: 0,
    env: { RATE_LIMIT_SUBMITS_PER_MINUTE: '1', API_KEYS: `${KEY_A},${KEY_B}` },
  });
  try {
    const post = async (key: string) =>
      (
        await fetch(`${stack.baseUrl}/v1/stream/transcode`, {
          method: 'POST',
          body: form(),
          headers: { authorization: `Bearer ${key}` },
        })
      ).status;
    expect(await post(KEY_A)).toBe(200);
    expect(await post(KEY_A)).toBe(429);
    expect(await post(KEY_B)).toBe(200);
  } finally {
    await stack.stop();
  }
});
