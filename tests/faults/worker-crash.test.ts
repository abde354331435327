/**
 * A busy worker killed with SIGKILL, or stopped with SIGTERM: the job
 * still ends Completed, with one whole output, no orphan ffmpeg and no
 * leftover files. Real processes, real Redis; JOB_LOCK_SECONDS=3 so a dead
 * worker is noticed in seconds instead of the production 25 s.
 */
import { readFile, readdir, rm, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseMediaPlaylist } from '@stream-server/ffmpeg';
import { startFleet, type Fleet } from '../support/fleet';
import { decodePlaylist, makeTrack } from '../support/media';
import { waitFor } from '../support/processes';
import { readJson, submit, waitForJob } from '../support/stack';

const redisUrl = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const LONG_SECONDS = 240;
let dir: string;
let longTrack: Blob;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'worker-crash-'));
  longTrack = new Blob([await readFile(await makeTrack(dir, 'long', { seconds: LONG_SECONDS }))]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function job(fleet: Fleet, jobId: string): Promise<Record<string, unknown>> {
  return readJson(await fetch(`${fleet.baseUrl}/v1/stream/job/${jobId}`));
}

/** Submits the long track and waits until a worker is well into it. */
async function busyJob(fleet: Fleet): Promise<string> {
  const upload = await submit(fleet.baseUrl, longTrack, 'long.wav', { codec: 'mp3', quality_profile: 'high' });
  expect(upload.status).toBe(200);
  const jobId = String(upload.body['job_id']);
  await waitFor(
    async () => {
      const body = await job(fleet, jobId);
      return body['status'] === 'Processing' && Number(body['progress']) >= 5 ? true : undefined;
    },
    30_000,
    () => 'the job to be under way',
  );
  return jobId;
}

/** The published folder holds exactly the playlists (VOD and ended live) and the files they name. */
async function expectOneWholeOutput(fleet: Fleet, jobId: string, seconds: number): Promise<void> {
  const hls = path.join(fleet.storageDir, 'hls');
  expect(await readdir(hls)).toEqual([jobId]);
  const playlist = parseMediaPlaylist(await readFile(path.join(hls, jobId, 'index.m3u8'), 'utf8'));
  const named = playlist.initSegment ? [playlist.initSegment, ...playlist.segments] : playlist.segments;
  expect((await readdir(path.join(hls, jobId))).sort()).toEqual(
    ['index.m3u8', 'live.m3u8', 'loudness.json', 'waveform.json', ...named].sort(),
  );
  // No live copy outlives the publish, whichever attempt made it.
  expect(await readdir(path.join(fleet.storageDir, 'live'))).toEqual([]);
  const decoded = await decodePlaylist(`${fleet.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`);
  expect(Math.abs(decoded.durationSeconds - seconds)).toBeLessThanOrEqual(0.1);
}

it('redoes the job of a SIGKILLed worker on another one, and its ffmpeg dies with it', async () => {
  const fleet = await startFleet('sigkill', { redisUrl, workers: 1, env: { JOB_LOCK_SECONDS: '3' } });
  try {
    const jobId = await busyJob(fleet);
    expect(fleet.ffmpegProcesses().length).toBe(1);
    const victim = fleet.workers[0];
    victim?.child.kill('SIGKILL');
    await victim?.exited;
    // The kernel kills the orphaned ffmpeg (setpriv --pdeathsig).
    await waitFor(
      () => (fleet.ffmpegProcesses().length === 0 ? true : undefined),
      2_000,
      () => 'the orphan ffmpeg to die',
    );

    const started = Date.now();
    await fleet.addWorker();
    const done = await waitForJob(fleet.baseUrl, jobId, 90_000);
    expect(done.status).toBe('Completed');
    // Taken over well within the 30 s the issue allows (lock 3 s here).
    expect(Date.now() - started).toBeLessThan(60_000);
    await expectOneWholeOutput(fleet, jobId, LONG_SECONDS);
    expect(await fleet.leftovers()).toEqual([]);
    expect(fleet.ffmpegProcesses()).toEqual([]);
  } finally {
    await fleet.stop();
  }
}, 150_000);

it('hands a running job back on SIGTERM after the grace period, without using an attempt', async () => {
  const fleet = await startFleet('sigterm', {
    redisUrl,
    workers: 1,
    env: { JOB_LOCK_SECONDS: '3', SHUTDOWN_GRACE_SECONDS: '1' },
  });
  try {
    const jobId = await busyJob(fleet);
    const worker = fleet.workers[0];
    const stopAsked = Date.now();
    worker?.child.kill('SIGTERM');
    expect(await worker?.exited).toBe(0);
    expect(Date.now() - stopAsked).toBeLessThan(10_000);
    expect(fleet.ffmpegProcesses()).toEqual([]);
    const pending = await job(fleet, jobId);
    expect(pending).toMatchObject({ status: 'Pending', attempts: 0, error: null });

    await fleet.addWorker();
    const done = await waitForJob(fleet.baseUrl, jobId, 90_000);
    expect(done.status).toBe('Completed');
    await expectOneWholeOutput(fleet, jobId, LONG_SECONDS);
    expect(await fleet.leftovers()).toEqual([]);
  } finally {
    await fleet.stop();
  }
}, 150_000);

it('lets a running job finish within the grace period on SIGTERM, then exits 0', async () => {
  const fleet = await startFleet('grace', { redisUrl, workers: 1, env: { SHUTDOWN_GRACE_SECONDS: '60' } });
  try {
    const jobId = await busyJob(fleet);
    const worker = fleet.workers[0];
    worker?.child.kill('SIGTERM');
    expect(await worker?.exited).toBe(0);
    expect(await job(fleet, jobId)).toMatchObject({ status: 'Completed', attempts: 1 });
    await expectOneWholeOutput(fleet, jobId, LONG_SECONDS);
  } finally {
    await fleet.stop();
  }
}, 90_000);
