/**
 * The fleet's ffmpeg decides which codecs are accepted. Run with the
 * bundled 2018 ffmpeg (@ffmpeg-installer), which cannot mux Opus or FLAC
 * into fMP4: those codecs must be refused with a clear 400 at submit time,
 * not accepted and then failed, while AAC still works end to end.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import ffprobeInstaller from '@ffprobe-installer/ffprobe';
import { detectCapabilities } from '@stream-server/ffmpeg';
import { decodePlaylist, makeTrack } from '../support/media';
import { startStack, submit, waitForJob, type TestStack } from '../support/stack';

const bundledFfmpeg = ffmpegInstaller.path;
const bundledFfprobe = ffprobeInstaller.path;

let stack: TestStack;
let dir: string;
let wav: Blob;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'caps-'));
  wav = new Blob([await readFile(await makeTrack(dir, 'tone', { seconds: 4 }))]);
  stack = await startStack('caps', { env: { FFMPEG_PATH: bundledFfmpeg, FFPROBE_PATH: bundledFfprobe } });
});

afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

it('finds that the bundled build writes AAC and MP3 but not Opus or FLAC into HLS', async () => {
  const encoders = await detectCapabilities(bundledFfmpeg, dir);
  expect(Object.keys(encoders).sort()).toEqual(['aac', 'mp3']);
  expect(stack.workers[0]?.encoders()).toEqual(encoders);
});

it.each([
  [{ codec: 'opus' }, 'opus'],
  [{ codec: 'flac' }, 'flac'],
  [{ quality_profile: 'hi_res' }, 'flac'],
])('refuses %j with 400 CODEC_UNAVAILABLE and keeps no file', async (fields, codec) => {
  const result = await submit(stack.baseUrl, wav, 'tone.wav', fields);
  expect(result.status).toBe(400);
  expect(result.body).toEqual({ error: expect.stringContaining(codec), code: 'CODEC_UNAVAILABLE' });
  expect(String(result.body['error'])).toContain('available: aac, mp3');
  expect(await stack.leftovers()).toEqual([]);
});

it('still transcodes AAC with the bundled binaries', async () => {
  const upload = await submit(stack.baseUrl, wav, 'tone.wav', { quality_profile: 'medium' });
  expect(upload.status).toBe(200);
  const job = await waitForJob(stack.baseUrl, String(upload.body['job_id']));
  expect(job.status).toBe('Completed');
  const decoded = await decodePlaylist(`${stack.baseUrl}/v1/stream/hls/${job.id}/index.m3u8`);
  expect(decoded.codec).toBe('aac');
  expect(Math.abs(decoded.durationSeconds - 4)).toBeLessThanOrEqual(0.1);
});
