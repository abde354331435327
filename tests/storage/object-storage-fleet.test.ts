/**
 * The service on nodes that share only Redis and an S3 bucket: the API and
 * two workers as real processes, each with its own STORAGE_DIR, over a real
 * S3 HTTP server (s3rver). The seed's workflow, a ladder, a cancel and a
 * worker SIGKILLed mid-encode whose job the other worker finishes; after
 * all that, no process's disk holds media and the bucket holds only the
 * published outputs.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseMediaPlaylist } from '@stream-server/ffmpeg';
import { startFleet, type Fleet } from '../support/fleet';
import { decodePlaylist, makeTrack } from '../support/media';
import { ffmpegProcessesUsing, waitFor } from '../support/processes';
import { startTestS3, type TestS3 } from '../support/s3-server';
import { readJson, submit, waitForJob } from '../support/stack';

const redisUrl = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const LONG_SECONDS = 240;
let dir: string;
let s3: TestS3;
let fleet: Fleet;
let shortTrack: Blob;
let longTrack: Blob;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'object-fleet-'));
  shortTrack = new Blob([await readFile(await makeTrack(dir, 'short', { seconds: 20 }))]);
  longTrack = new Blob([await readFile(await makeTrack(dir, 'long', { seconds: LONG_SECONDS }))]);
  s3 = await startTestS3();
  fleet = await startFleet('s3', {
    redisUrl,
    workers: 2,
    privateDisks: true,
    env: { ...s3.env, JOB_LOCK_SECONDS: '3' },
  });
}, 120_000);

afterAll(async () => {
  await fleet?.stop();
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function job(jobId: string): Promise<Record<string, unknown>> {
  return readJson(await fetch(`${fleet.baseUrl}/v1/stream/job/${jobId}`));
}

/** Submits the long track and waits until a worker is well into it. */
async function busyJob(fields: Record<string, string> = {}): Promise<string> {
  const upload = await submit(fleet.baseUrl, longTrack, 'long.wav', {
    codec: 'mp3',
    quality_profile: 'high',
    ...fields,
  });
  expect(upload.status).toBe(200);
  const jobId = String(upload.body['job_id']);
  await waitFor(
    async () => {
      const body = await job(jobId);
      return body['status'] === 'Processing' && Number(body['progress']) >= 5 ? true : undefined;
    },
    30_000,
    () => 'the job to be under way',
  );
  return jobId;
}

/** The bucket's keys for one job's output. */
async function outputKeys(jobId: string): Promise<string[]> {
  return (await s3.keys())
    .filter((key) => key.startsWith(`hls/${jobId}/`))
    .map((key) => key.slice(`hls/${jobId}/`.length));
}

/** Files under a process's STORAGE_DIR that are media or playlists. */
async function mediaOnDisk(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && /\.(ts|m4s|mp4|m4a|m3u8|wav)$|^source$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

it('runs the seed workflow with the upload and the output in the bucket only', async () => {
  const upload = await submit(fleet.baseUrl, shortTrack, 'short.wav', { codec: 'aac', bitrate: '128000' });
  expect(upload.status).toBe(200);
  const jobId = String(upload.body['job_id']);
  const done = await waitForJob(fleet.baseUrl, jobId, 60_000);
  expect(done.status).toBe('Completed');

  const manifest = await fetch(`${fleet.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`);
  expect(manifest.status).toBe(200);
  expect(manifest.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
  const playlist = parseMediaPlaylist(await manifest.text());
  expect(playlist.ended).toBe(true);
  const segment = await fetch(`${fleet.baseUrl}/v1/stream/hls/${jobId}/${String(playlist.segments[0])}`);
  expect(segment.status).toBe(200);
  expect(segment.headers.get('content-type')).toBe('video/mp2t');
  expect(segment.headers.get('cache-control')).toContain('immutable');
  const decoded = await decodePlaylist(`${fleet.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`);
  expect(Math.abs(decoded.durationSeconds - 20)).toBeLessThanOrEqual(0.1);
  expect((await fetch(`${fleet.baseUrl}/v1/stream/job/${jobId}/waveform.json`)).status).toBe(200);

  // Segments, then the playlists; the upload and the live copy are gone from the bucket.
  expect((await outputKeys(jobId)).sort()).toEqual(
    ['index.m3u8', 'live.m3u8', 'loudness.json', 'waveform.json', ...playlist.segments].sort(),
  );
  const keys = await s3.keys();
  expect(keys.filter((key) => key.startsWith('uploads/') || key.startsWith(`live/${jobId}`))).toEqual([]);
}, 90_000);

it('spreads a ladder over the two workers and publishes every rung from the bucket', async () => {
  const upload = await submit(fleet.baseUrl, shortTrack, 'short.wav', { renditions: 'low,medium,high' });
  expect(upload.status).toBe(200);
  const jobId = String(upload.body['job_id']);
  const done = await waitForJob(fleet.baseUrl, jobId, 90_000);
  expect(done.status).toBe('Completed');

  const master = await (await fetch(`${fleet.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`)).text();
  const rungs = master.split('\n').filter((line) => line.endsWith('.m3u8'));
  expect(rungs).toEqual(['low/index.m3u8', 'medium/index.m3u8', 'high/index.m3u8']);
  for (const rung of rungs) {
    const decoded = await decodePlaylist(`${fleet.baseUrl}/v1/stream/hls/${jobId}/${rung}`);
    expect(Math.abs(decoded.durationSeconds - 20)).toBeLessThanOrEqual(0.1);
  }
  // The staging "dir" lived in the bucket and went with the publish.
  expect((await s3.keys()).filter((key) => key.startsWith('tmp/') || key.startsWith(`live/${jobId}`))).toEqual([]);
}, 120_000);

it('cancels a running job: nothing of it stays in the bucket', async () => {
  const jobId = await busyJob();
  const cancelled = await fetch(`${fleet.baseUrl}/v1/stream/job/${jobId}`, { method: 'DELETE' });
  expect(cancelled.status).toBe(200);
  await waitFor(
    async () => {
      const keys = (await s3.keys()).filter((key) => key.includes(jobId) || key.startsWith('uploads/'));
      return keys.length === 0 && fleet.ffmpegProcesses().length === 0 ? true : undefined;
    },
    20_000,
    () => 'the cancelled job to leave nothing behind',
  );
  expect(await job(jobId)).toMatchObject({ status: 'Cancelled', error: null });
}, 90_000);

it('finishes on the other node the job of a SIGKILLed worker', async () => {
  const jobId = await busyJob();
  // Playable while it runs: the live playlist and its segments come from the bucket.
  const liveUrl = await waitFor(
    async () => {
      const url = (await job(jobId))['live_manifest_url'];
      return typeof url === 'string' ? url : undefined;
    },
    20_000,
    () => 'the job to be playable',
  );
  const live = await fetch(`${fleet.baseUrl}${liveUrl}`);
  expect(live.status).toBe(200);
  const livePlaylist = await live.text();
  expect(livePlaylist).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
  expect(livePlaylist).not.toContain('#EXT-X-ENDLIST');
  const first = parseMediaPlaylist(livePlaylist).segments[0];
  const liveSegment = await fetch(new URL(String(first), `${fleet.baseUrl}${liveUrl}`));
  expect(liveSegment.status).toBe(200);
  expect((await liveSegment.arrayBuffer()).byteLength).toBeGreaterThan(0);
  expect((await s3.keys()).some((key) => key.startsWith(`live/${jobId}/`))).toBe(true);

  // The worker whose own disk ffmpeg is reading from is the one running the job.
  const workerDirs = fleet.storageDirs.slice(1);
  const busy = workerDirs.findIndex((root) => ffmpegProcessesUsing(root).length > 0);
  expect(busy).toBeGreaterThanOrEqual(0);
  const victim = fleet.workers[busy];
  victim?.child.kill('SIGKILL');
  await victim?.exited;

  const done = await waitForJob(fleet.baseUrl, jobId, 120_000);
  expect(done.status).toBe('Completed');
  const decoded = await decodePlaylist(`${fleet.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`);
  expect(Math.abs(decoded.durationSeconds - LONG_SECONDS)).toBeLessThanOrEqual(0.1);
  const playlist = parseMediaPlaylist(await (await fetch(`${fleet.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`)).text());
  expect((await outputKeys(jobId)).sort()).toEqual(
    ['index.m3u8', 'live.m3u8', 'loudness.json', 'waveform.json', ...playlist.segments].sort(),
  );

  // The survivors' disks hold no media: every hand-off went through the bucket.
  // (The killed worker's scratch dir keeps its dead attempt's work dir, which
  // that node's next worker sweeps at start.)
  const survivors = fleet.storageDirs.filter((_, index) => index !== busy + 1);
  for (const root of survivors) expect(await mediaOnDisk(root)).toEqual([]);
  expect((await s3.keys()).filter((key) => !key.startsWith('hls/'))).toEqual([]);
}, 180_000);
