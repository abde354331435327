/**
 * End to end: a ladder job is a flow of parts spread over the workers.
 * Two workers each encode a part of a 3-rung ladder and the job publishes
 * the usual output; a cancel stops every part and leaves nothing; a part
 * that fails for good fails the job with its reason; one worker alone
 * (concurrency 1) still completes a ladder.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger, type Logger, type LogMeta } from '@stream-server/logger';
import { parseMediaPlaylist } from '@stream-server/ffmpeg';
import { createWorkerApp } from '@stream-server/worker';
import { makeTrack } from '../support/media';
import { ffmpegProcessesUsing, waitFor } from '../support/processes';
import { readJson, startStack, submit, waitForJob, type TestStack } from '../support/stack';

const LADDER = { renditions: 'low,medium,high' };

let dir: string;
let track: Blob;
let longTrack: Blob;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ladder-flows-'));
  track = new Blob([await readFile(await makeTrack(dir, 'track', { seconds: 20 }))]);
  longTrack = new Blob([await readFile(await makeTrack(dir, 'long', { seconds: 240 }))]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Keeps every line logged with `message`, with the meta of its logger chain. */
function recordingLogger(message: string, lines: LogMeta[], context: LogMeta = {}): Logger {
  const keep = (text: string, meta?: LogMeta) => {
    if (text === message) lines.push({ ...context, ...meta });
  };
  return {
    debug: keep,
    info: keep,
    warn: keep,
    error: keep,
    child: (meta) => recordingLogger(message, lines, { ...context, ...meta }),
  };
}

async function status(stack: TestStack, jobId: string): Promise<Record<string, unknown>> {
  return readJson(await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`));
}

async function submitLadder(stack: TestStack, file: Blob): Promise<string> {
  const upload = await submit(stack.baseUrl, file, 'track.wav', LADDER);
  expect(upload.status).toBe(200);
  return String(upload.body['job_id']);
}

/** The published ladder: three whole rungs and the multivariant playlist, nothing staged or live left. */
async function expectPublishedLadder(stack: TestStack, jobId: string): Promise<void> {
  const out = path.join(stack.config.storageDir, 'hls', jobId);
  const master = await readFile(path.join(out, 'index.m3u8'), 'utf8');
  expect(master.split('\n').filter((line) => line.endsWith('.m3u8'))).toEqual([
    'low/index.m3u8',
    'medium/index.m3u8',
    'high/index.m3u8',
  ]);
  for (const rung of ['low', 'medium', 'high']) {
    const playlist = parseMediaPlaylist(await readFile(path.join(out, rung, 'index.m3u8'), 'utf8'));
    expect(playlist.ended).toBe(true);
    expect(Math.abs(playlist.durationSeconds - 20)).toBeLessThan(0.1);
  }
  expect((await readdir(out)).sort()).toEqual(
    ['high', 'index.m3u8', 'live.m3u8', 'loudness.json', 'low', 'medium', 'waveform.json'].sort(),
  );
  await waitFor(
    async () => ((await stack.leftovers()).length === 0 ? true : undefined),
    5_000,
    () => 'no leftovers',
  );
  expect(await readdir(path.join(stack.config.storageDir, 'live'))).toEqual([]);
}

describe('two workers', () => {
  let stack: TestStack;
  const active: LogMeta[] = [];

  beforeAll(async () => {
    stack = await startStack('ladder-two', {
      workers: 2,
      env: { WORKER_CONCURRENCY: '1' },
      logger: recordingLogger('ladder part active', active),
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('encode one part each, and the job publishes the whole ladder', async () => {
    const jobId = await submitLadder(stack, track);
    const running = await waitFor(
      async () => {
        const body = await status(stack, jobId);
        return body['status'] === 'Processing' ? body : undefined;
      },
      20_000,
      () => 'the ladder to start',
    );
    expect(running['started_at']).toEqual(expect.any(String));
    const done = await waitForJob(stack.baseUrl, jobId, 60_000);
    expect(done.status).toBe('Completed');
    expect(done.progress).toBe(100);
    expect(done['attempts']).toBe(1);
    const renditions = done['renditions'];
    expect(Array.isArray(renditions) ? renditions.map((r: { name: string }) => r.name) : null).toEqual([
      'low',
      'medium',
      'high',
    ]);
    expect(done['loudness']).not.toBeNull();
    expect(done['waveform_url']).toEqual(expect.any(String));

    const parts = active.filter((line) => line['job_id'] === jobId);
    expect(parts.map((line) => line['part']).sort()).toEqual([0, 1]);
    // Each worker ran one part.
    expect(new Set(parts.map((line) => line['worker_id'])).size).toBe(2);
    await expectPublishedLadder(stack, jobId);

    // Job lists and stats count the job, not its parts.
    const list = await readJson(await fetch(`${stack.baseUrl}/v1/stream/jobs?state=completed`));
    const jobs = list['jobs'];
    expect(Array.isArray(jobs) ? jobs.map((job: { id: string }) => job.id) : null).toEqual([jobId]);
  });

  it('a cancel stops every part and leaves nothing behind', async () => {
    const jobId = await submitLadder(stack, longTrack);
    await waitFor(
      async () => {
        const body = await status(stack, jobId);
        return body['status'] === 'Processing' &&
          Number(body['progress']) > 2 &&
          ffmpegProcessesUsing(stack.config.storageDir).length === 2
          ? true
          : undefined;
      },
      30_000,
      () => 'both parts to run',
    );
    const response = await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`, { method: 'DELETE' });
    expect(response.status).toBe(200);
    expect((await readJson(response))['status']).toBe('Cancelled');
    await waitFor(
      () => (ffmpegProcessesUsing(stack.config.storageDir).length === 0 ? true : undefined),
      5_000,
      () => 'every ffmpeg to stop',
    );
    expect((await waitForJob(stack.baseUrl, jobId)).status).toBe('Cancelled');
    await waitFor(
      async () => {
        const live = await readdir(path.join(stack.config.storageDir, 'live'));
        return (await stack.leftovers()).length === 0 && live.length === 0 ? true : undefined;
      },
      5_000,
      () => 'the files to go',
    );
    expect(await readdir(path.join(stack.config.storageDir, 'hls'))).not.toContain(jobId);
  }, 60_000);
});

describe('one worker, concurrency 1', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack('ladder-one', { workers: 1, env: { WORKER_CONCURRENCY: '1' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('completes a ladder: the job runs only once its parts are done', async () => {
    const jobId = await submitLadder(stack, track);
    const done = await waitForJob(stack.baseUrl, jobId, 60_000);
    expect(done.status).toBe('Completed');
    await expectPublishedLadder(stack, jobId);
  });
});

describe('a part that fails for good', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack('ladder-fail', { workers: 0, env: { JOB_ATTEMPTS: '1' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('fails the job with the part’s reason', async () => {
    const jobId = await submitLadder(stack, track);
    expect((await status(stack, jobId))['status']).toBe('Pending');
    // The upload disappears before any worker takes the parts.
    const uploads = path.join(stack.config.storageDir, 'uploads');
    for (const name of await readdir(uploads)) await rm(path.join(uploads, name));
    const worker = createWorkerApp(stack.config, silentLogger);
    await worker.start();
    try {
      const failed = await waitForJob(stack.baseUrl, jobId, 30_000);
      expect(failed.status).toBe('Failed(the uploaded source file is missing from storage)');
      expect(failed.error).toBe('the uploaded source file is missing from storage');
    } finally {
      await worker.stop();
    }
    expect(await stack.leftovers()).toEqual([]);
  });
});
