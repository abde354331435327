/**
 * A ladder's part survives its worker: a worker process SIGKILLed while it
 * encodes one part of a ladder, the other worker takes that part over
 * (BullMQ's stalled-job check, JOB_LOCK_SECONDS=3 here) besides finishing
 * its own, and the job completes with one whole output and no leftovers.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseMediaPlaylist } from '@stream-server/ffmpeg';
import { startFleet } from '../support/fleet';
import { makeTrack } from '../support/media';
import { waitFor } from '../support/processes';
import { readJson, submit, waitForJob } from '../support/stack';

const redisUrl = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const SECONDS = 240;
let dir: string;
let longTrack: Blob;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ladder-crash-'));
  longTrack = new Blob([await readFile(await makeTrack(dir, 'long', { seconds: SECONDS }))]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('finishes a ladder whose part lost its worker to SIGKILL on the other worker', async () => {
  const fleet = await startFleet('ladder-kill', { redisUrl, workers: 2, env: { JOB_LOCK_SECONDS: '3' } });
  try {
    const upload = await submit(fleet.baseUrl, longTrack, 'long.wav', { renditions: 'low,medium,high' });
    expect(upload.status).toBe(200);
    const jobId = String(upload.body['job_id']);
    await waitFor(
      async () => {
        const body = await readJson(await fetch(`${fleet.baseUrl}/v1/stream/job/${jobId}`));
        const busy = body['status'] === 'Processing' && Number(body['progress']) >= 3;
        return busy && fleet.ffmpegProcesses().length === 2 ? true : undefined;
      },
      30_000,
      () => 'both parts to be under way',
    );
    const victim = fleet.workers[0];
    victim?.child.kill('SIGKILL');
    await victim?.exited;
    await waitFor(
      () => (fleet.ffmpegProcesses().length <= 1 ? true : undefined),
      2_000,
      () => 'the orphan ffmpeg to die',
    );

    const done = await waitForJob(fleet.baseUrl, jobId, 120_000);
    expect(done.status).toBe('Completed');
    const out = path.join(fleet.storageDir, 'hls', jobId);
    for (const rung of ['low', 'medium', 'high']) {
      const playlist = parseMediaPlaylist(await readFile(path.join(out, rung, 'index.m3u8'), 'utf8'));
      expect(playlist.ended).toBe(true);
      expect(Math.abs(playlist.durationSeconds - SECONDS)).toBeLessThan(0.1);
      const named = playlist.segments;
      expect((await readdir(path.join(out, rung))).sort()).toEqual(['index.m3u8', 'live.m3u8', ...named].sort());
    }
    expect(await readdir(path.join(fleet.storageDir, 'hls'))).toEqual([jobId]);
    await waitFor(
      async () => ((await fleet.leftovers()).length === 0 ? true : undefined),
      5_000,
      () => 'no leftovers',
    );
    expect(await readdir(path.join(fleet.storageDir, 'live'))).toEqual([]);
    expect(fleet.ffmpegProcesses()).toEqual([]);
  } finally {
    await fleet.stop();
  }
}, 180_000);
