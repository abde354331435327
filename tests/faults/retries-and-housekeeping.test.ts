/**
 * Retries and housekeeping: a transient failure (ffmpeg killed) is retried
 * and completes; undecodable media fails at once, unretried, with its
 * reason; sources are deleted when a job ends unless KEEP_SOURCE; work dirs
 * of crashed attempts are swept when a worker starts.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FfmpegRepository } from '@stream-server/ffmpeg';
import { createRedis, TranscodeQueue } from '@stream-server/queue';
import { silentLogger } from '@stream-server/logger';
import { StorageLayout, StorageRepository } from '@stream-server/storage';
import { createWorkerApp, TranscodeProcessor } from '@stream-server/worker';
import { makeTrack, testBinaries } from '../support/media';
import { ffmpegProcessesUsing, waitFor } from '../support/processes';
import { readJson, startStack, submit, waitForJob, type TestStack } from '../support/stack';

let dir: string;
let longTrack: Blob;
let shortTrack: Blob;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'retries-'));
  longTrack = new Blob([await readFile(await makeTrack(dir, 'long', { seconds: 240 }))]);
  shortTrack = new Blob([await readFile(await makeTrack(dir, 'short', { seconds: 3 }))]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function status(stack: TestStack, jobId: string): Promise<Record<string, unknown>> {
  return readJson(await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`));
}

describe('retries', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack('retries');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('retries an attempt whose ffmpeg was killed, and completes', async () => {
    const upload = await submit(stack.baseUrl, longTrack, 'long.wav', { codec: 'mp3' });
    const jobId = String(upload.body['job_id']);
    const pid = await waitFor(
      () => /^(\d+) /.exec(ffmpegProcessesUsing(stack.config.storageDir)[0] ?? '')?.[1],
      30_000,
      () => 'ffmpeg to run',
    );
    execFileSync('kill', ['-KILL', pid]);
    await waitFor(
      async () => (Number((await status(stack, jobId))['attempts']) >= 1 ? true : undefined),
      10_000,
      () => 'the failed attempt',
    );
    expect((await status(stack, jobId))['status']).toBe('Pending'); // waiting for its retry
    const done = await waitForJob(stack.baseUrl, jobId, 90_000);
    expect(done.status).toBe('Completed');
    expect(await stack.leftovers()).toEqual([]);
  }, 120_000);

  it('fails undecodable media at once, without retrying, and deletes it', async () => {
    // Probed fine at submit; corrupted on disk before any worker reads it.
    const idle = await startStack('retries-corrupt', { workers: 0 });
    try {
      const upload = await submit(idle.baseUrl, shortTrack, 'short.wav');
      const jobId = String(upload.body['job_id']);
      const uploads = path.join(idle.config.storageDir, 'uploads');
      const [name] = await readdir(uploads);
      await writeFile(path.join(uploads, String(name)), Buffer.alloc(64 * 1024, 0x5a));
      const worker = createWorkerApp(idle.config, silentLogger);
      await worker.start();
      try {
        const done = await waitForJob(idle.baseUrl, jobId, 30_000);
        expect(done.status).toMatch(/^Failed\(undecodable audio: .+\)$/);
        expect(done.error).toMatch(/^undecodable audio: /);
        expect(done['attempts']).toBe(1);
        expect(await idle.leftovers()).toEqual([]);
      } finally {
        await worker.stop();
      }
    } finally {
      await idle.stop();
    }
  });
});

describe('housekeeping', () => {
  it('reports an output an earlier attempt published and died after, loudness included', async () => {
    const stack = await startStack('published', { env: { KEEP_SOURCE: 'true' } });
    const redis = createRedis(stack.config.redis, 'worker');
    const queue = new TranscodeQueue(redis, { prefix: stack.config.queuePrefix, attempts: 3, retentionDays: 1 });
    try {
      const upload = await submit(stack.baseUrl, shortTrack, 'short.wav', {
        normalize: 'true',
        renditions: 'low,medium',
      });
      const jobId = String(upload.body['job_id']);
      expect((await waitForJob(stack.baseUrl, jobId)).status).toBe('Completed');
      const done = await queue.get(jobId);
      expect(done?.result?.outputLoudness).toEqual(expect.objectContaining({ integratedLufs: expect.any(Number) }));

      // A new attempt of the same job (its worker died after the rename,
      // before BullMQ heard of it) finds the output and reports it as it was.
      const processor = new TranscodeProcessor(
        new StorageRepository(new StorageLayout(stack.config.storageDir)),
        new FfmpegRepository(await testBinaries()),
        { aac: 'aac' },
        {
          keepSource: true,
          maxDurationSeconds: stack.config.maxDurationSeconds,
          timeoutFloorSeconds: stack.config.jobTimeoutFloorSeconds,
          stallSeconds: stack.config.ffmpegStallSeconds,
        },
        queue.cancels,
        silentLogger,
      );
      if (!done) throw new Error('job vanished');
      const again = await processor.process({
        data: done.data,
        attemptsMade: 1,
        maxAttempts: 3,
        updateProgress: async () => undefined,
        reportPlayable: async () => undefined,
      });
      expect(again).toEqual(done.result);
    } finally {
      await queue.close();
      await redis.quit();
      await stack.stop();
    }
  });

  it('keeps the source with KEEP_SOURCE=true', async () => {
    const stack = await startStack('keep-source', { env: { KEEP_SOURCE: 'true' } });
    try {
      const upload = await submit(stack.baseUrl, shortTrack, 'short.wav');
      expect((await waitForJob(stack.baseUrl, String(upload.body['job_id']))).status).toBe('Completed');
      expect(await stack.leftovers()).toEqual([expect.stringMatching(/^uploads\/[0-9a-f-]{36}$/)]);
    } finally {
      await stack.stop();
    }
  });

  it('sweeps work dirs of crashed attempts at worker start', async () => {
    const stack = await startStack('sweep', { workers: 0 });
    try {
      const tmp = path.join(stack.config.storageDir, 'tmp');
      const stale = `${randomUUID()}.1.AbCdEf`;
      await mkdir(path.join(tmp, stale, 'x'), { recursive: true });
      await writeFile(path.join(tmp, stale, 'segment_00001.ts'), 'partial');
      const unrelated = 'not-a-work-dir';
      await mkdir(path.join(tmp, unrelated));

      const worker = createWorkerApp(stack.config, silentLogger);
      await worker.start();
      try {
        expect(await readdir(tmp)).toEqual([unrelated]);
      } finally {
        await worker.stop();
        await rm(path.join(tmp, unrelated), { recursive: true });
      }
    } finally {
      await stack.stop();
    }
  });

  it('leaves the work dir of a job another worker is running', async () => {
    const stack = await startStack('sweep-active', { workers: 0 });
    const workers = [createWorkerApp(stack.config, silentLogger)];
    try {
      const upload = await submit(stack.baseUrl, longTrack, 'long.wav', { codec: 'mp3' });
      const jobId = String(upload.body['job_id']);
      await workers[0]?.start();
      const tmp = path.join(stack.config.storageDir, 'tmp');
      const running = await waitFor(
        async () => {
          const entries = await readdir(tmp);
          return entries.length > 0 && Number((await status(stack, jobId))['progress']) > 0 ? entries : undefined;
        },
        20_000,
        () => 'the job to run',
      );
      expect(running).toEqual([expect.stringMatching(new RegExp(`^${jobId}\\.1\\.`))]);

      const second = createWorkerApp(stack.config, silentLogger);
      workers.push(second);
      await second.start();
      expect(await readdir(tmp)).toEqual(running);
      const done = await waitForJob(stack.baseUrl, jobId, 60_000);
      // No attempt failed because its work dir vanished (BullMQ counts the
      // successful attempt itself only once it is recorded: 0 or 1).
      expect(done).toMatchObject({ status: 'Completed', error: null });
      expect(Number(done['attempts'])).toBeLessThanOrEqual(1);
    } finally {
      for (const worker of workers) await worker.stop();
      await stack.stop();
    }
  }, 90_000);
});
