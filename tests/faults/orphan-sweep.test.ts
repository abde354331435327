/**
 * Uploads no job owns (an API killed mid-upload or mid-probe leaves them)
 * are swept by the workers once older than ORPHAN_GRACE_SECONDS, at start
 * and periodically; a queued job's upload never is.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@stream-server/logger';
import { createRedis, TranscodeQueue } from '@stream-server/queue';
import { createWorkerApp } from '@stream-server/worker';
import { makeTrack } from '../support/media';
import { startStack, submit, type TestStack } from '../support/stack';

let dir: string;
let stack: TestStack;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'orphans-'));
  stack = await startStack('orphans', { workers: 0, env: { ORPHAN_GRACE_SECONDS: '10' } });
});

afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

const uploads = () => readdir(path.join(stack.config.storageDir, 'uploads'));

/** A file in uploads/ as a killed API leaves it, last written `ageSeconds` ago. */
async function orphan(ageSeconds: number): Promise<string> {
  const name = randomUUID();
  const file = path.join(stack.config.storageDir, 'uploads', name);
  await writeFile(file, Buffer.alloc(1024));
  const then = new Date(Date.now() - ageSeconds * 1000);
  await utimes(file, then, then);
  return name;
}

it("removes old orphans at start and then periodically, and keeps young ones and a queued job's upload", async () => {
  const track = new Blob([await readFile(await makeTrack(dir, 'queued', { seconds: 1 }))]);
  expect((await submit(stack.baseUrl, track, 'queued.wav')).status).toBe(200);
  const [queuedUpload] = await uploads();
  // The queued job's upload is as old as any orphan: only ownership keeps it.
  const then = new Date(Date.now() - 60_000);
  await utimes(path.join(stack.config.storageDir, 'uploads', String(queuedUpload)), then, then);
  const old = await orphan(60);
  const young = await orphan(0);

  // Paused, so the worker sweeps but takes no job: the upload stays queued.
  const redis = createRedis(stack.config.redis, 'worker');
  const queue = new TranscodeQueue(redis, { prefix: stack.config.queuePrefix, attempts: 1, retentionDays: 1 });
  await queue.pause();
  const worker = createWorkerApp(stack.config, silentLogger);
  stack.workers.push(worker);
  try {
    await worker.start();
    expect((await uploads()).sort()).toEqual([queuedUpload, young].sort());

    // Later orphans go at the next periodic sweep (every 5 s at this grace,
    // which leaves a slow worker start-up room before the young one ages).
    const later = await orphan(60);
    const deadline = Date.now() + 20_000;
    while ((await uploads()).includes(later) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await uploads()).not.toContain(later);
    expect(await uploads()).toContain(queuedUpload);
    expect(await uploads()).not.toContain(old);
  } finally {
    await queue.resume();
    await queue.close();
    await redis.quit();
  }
}, 60_000);
