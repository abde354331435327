/**
 * A hung ffmpeg (frozen with SIGSTOP, as a stuck read would leave it) is
 * killed once its progress has not advanced for FFMPEG_STALL_SECONDS, and
 * the attempt is retried: the job completes instead of holding its slot
 * until the attempt's timeout.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeTrack } from '../support/media';
import { ffmpegProcessesUsing, waitFor } from '../support/processes';
import { readJson, startStack, submit, waitForJob, type TestStack } from '../support/stack';

let dir: string;
let stack: TestStack;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'stall-'));
  stack = await startStack('stall', { env: { FFMPEG_STALL_SECONDS: '2', JOB_ATTEMPTS: '3' } });
});

afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

it('kills a frozen ffmpeg after FFMPEG_STALL_SECONDS and completes the job on a retry', async () => {
  const track = new Blob([await readFile(await makeTrack(dir, 'long', { seconds: 240 }))]);
  const submitted = await submit(stack.baseUrl, track, 'long.wav', { codec: 'mp3' });
  const jobId = String(submitted.body['job_id']);
  const pid = await waitFor(
    async () => {
      const job = await readJson(await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`));
      if (job['status'] !== 'Processing' || Number(job['progress']) < 2) return undefined;
      const [line] = ffmpegProcessesUsing(stack.config.storageDir);
      return line?.trim().split(/\s+/)[0];
    },
    30_000,
    () => 'the encode to be under way',
  );
  const frozenAt = Date.now();
  execFileSync('kill', ['-STOP', pid]);
  // Killed (SIGKILL reaches a stopped process) a little after the stall limit.
  await waitFor(
    async () =>
      ffmpegProcessesUsing(stack.config.storageDir).some((line) => line.trim().startsWith(`${pid} `))
        ? undefined
        : true,
    15_000,
    () => `ffmpeg ${pid} to be killed`,
  );
  expect(Date.now() - frozenAt).toBeGreaterThanOrEqual(1_900);
  const done = await waitForJob(stack.baseUrl, jobId, 120_000);
  expect(done).toMatchObject({ status: 'Completed', attempts: 2 });
}, 180_000);
