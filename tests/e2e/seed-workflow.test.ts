/**
 * The seed's workflow, black box, for every codec and profile: submit →
 * poll → manifest → every segment → decode the playlist back with ffmpeg
 * and compare with the source (duration ± 0.1 s, codec, sample rate,
 * bit depth, bitrate ± 20 %).
 */
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseMediaPlaylist } from '@stream-server/ffmpeg';
import { decodePlaylist, makeTrack } from '../support/media';
import { startStack, submit, waitForJob, type TestStack } from '../support/stack';

const SECONDS = 7;

let stack: TestStack;
let fixtures: string;
let cdWav: Blob;
let hiResWav: Blob;

beforeAll(async () => {
  fixtures = await mkdtemp(path.join(os.tmpdir(), 'seed-fixtures-'));
  cdWav = new Blob([await readFile(await makeTrack(fixtures, 'cd', { seconds: SECONDS }))]);
  hiResWav = new Blob([
    await readFile(
      await makeTrack(fixtures, 'hires', { seconds: SECONDS, sampleRate: 96_000, codecArgs: ['-c:a', 'pcm_s24le'] }),
    ),
  ]);
  stack = await startStack('seed', { env: { WORKER_CONCURRENCY: '2' } });
});

afterAll(async () => {
  await stack?.stop();
  await rm(fixtures, { recursive: true, force: true });
});

interface Case {
  readonly fields: Record<string, string>;
  readonly source: 'cd' | 'hires';
  readonly codec: string;
  readonly sampleRate: number;
  readonly bitrate?: number;
  readonly bits?: number;
  readonly segmentExt: 'ts' | 'm4s';
}

const cases: Case[] = [
  // Profiles alone: AAC 64/128/256 kb/s, hi_res → FLAC keeping rate and depth.
  {
    fields: { quality_profile: 'low' },
    source: 'cd',
    codec: 'aac',
    sampleRate: 44_100,
    bitrate: 64_000,
    segmentExt: 'ts',
  },
  {
    fields: { quality_profile: 'medium' },
    source: 'cd',
    codec: 'aac',
    sampleRate: 44_100,
    bitrate: 128_000,
    segmentExt: 'ts',
  },
  {
    fields: { quality_profile: 'high' },
    source: 'cd',
    codec: 'aac',
    sampleRate: 44_100,
    bitrate: 256_000,
    segmentExt: 'ts',
  },
  { fields: {}, source: 'cd', codec: 'aac', sampleRate: 44_100, bitrate: 256_000, segmentExt: 'ts' },
  {
    fields: { quality_profile: 'hi_res' },
    source: 'hires',
    codec: 'flac',
    sampleRate: 96_000,
    bits: 24,
    segmentExt: 'm4s',
  },
  // Each codec at each profile.
  {
    fields: { codec: 'mp3', quality_profile: 'low' },
    source: 'cd',
    codec: 'mp3',
    sampleRate: 44_100,
    bitrate: 96_000,
    segmentExt: 'ts',
  },
  {
    fields: { codec: 'mp3', quality_profile: 'medium' },
    source: 'cd',
    codec: 'mp3',
    sampleRate: 44_100,
    bitrate: 160_000,
    segmentExt: 'ts',
  },
  {
    fields: { codec: 'mp3', quality_profile: 'high' },
    source: 'cd',
    codec: 'mp3',
    sampleRate: 44_100,
    bitrate: 320_000,
    segmentExt: 'ts',
  },
  {
    fields: { codec: 'mp3', quality_profile: 'hi_res' },
    source: 'hires',
    codec: 'mp3',
    sampleRate: 48_000,
    bitrate: 320_000,
    segmentExt: 'ts',
  },
  {
    fields: { codec: 'opus', quality_profile: 'low' },
    source: 'cd',
    codec: 'opus',
    sampleRate: 48_000,
    bitrate: 48_000,
    segmentExt: 'm4s',
  },
  {
    fields: { codec: 'opus', quality_profile: 'medium' },
    source: 'cd',
    codec: 'opus',
    sampleRate: 48_000,
    bitrate: 96_000,
    segmentExt: 'm4s',
  },
  {
    fields: { codec: 'opus', quality_profile: 'high' },
    source: 'cd',
    codec: 'opus',
    sampleRate: 48_000,
    bitrate: 160_000,
    segmentExt: 'm4s',
  },
  {
    fields: { codec: 'opus', quality_profile: 'hi_res' },
    source: 'hires',
    codec: 'opus',
    sampleRate: 48_000,
    bitrate: 256_000,
    segmentExt: 'm4s',
  },
  {
    fields: { codec: 'aac', quality_profile: 'hi_res' },
    source: 'hires',
    codec: 'aac',
    sampleRate: 96_000,
    bitrate: 320_000,
    segmentExt: 'ts',
  },
  {
    fields: { codec: 'flac', quality_profile: 'high' },
    source: 'hires',
    codec: 'flac',
    sampleRate: 48_000,
    bits: 16,
    segmentExt: 'm4s',
  },
  {
    fields: { codec: 'flac', quality_profile: 'low' },
    source: 'cd',
    codec: 'flac',
    sampleRate: 44_100,
    bits: 16,
    segmentExt: 'm4s',
  },
  // An explicit bitrate wins over the profile.
  {
    fields: { codec: 'aac', bitrate: '192000', quality_profile: 'low' },
    source: 'cd',
    codec: 'aac',
    sampleRate: 44_100,
    bitrate: 192_000,
    segmentExt: 'ts',
  },
  {
    fields: { codec: 'mp3', bitrate: '128000', priority: 'urgent' },
    source: 'cd',
    codec: 'mp3',
    sampleRate: 44_100,
    bitrate: 128_000,
    segmentExt: 'ts',
  },
];

describe.each(cases)('submit $fields ($source source)', (c) => {
  it(`publishes ${c.codec} HLS that decodes back to the source`, async () => {
    const upload = await submit(stack.baseUrl, c.source === 'cd' ? cdWav : hiResWav, `${c.source}.wav`, c.fields);
    expect(upload.status).toBe(200);
    expect(upload.body).toEqual({
      job_id: expect.any(String),
      status: 'queued',
      message: 'Job submitted successfully',
    });
    const jobId = String(upload.body['job_id']);

    const job = await waitForJob(stack.baseUrl, jobId);
    expect(job).toMatchObject({ id: jobId, status: 'Completed', progress: 100, error: null, track_id: c.source });
    for (const key of ['created_at', 'started_at', 'completed_at'] as const) {
      expect(new Date(String(job[key])).toISOString()).toBe(job[key]);
    }

    const manifestUrl = `${stack.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`;
    const manifest = await fetch(manifestUrl);
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    const playlist = parseMediaPlaylist(await manifest.text());
    expect(playlist.ended).toBe(true);
    expect(playlist.segments.length).toBeGreaterThanOrEqual(2);
    expect(playlist.segments.every((name) => name.endsWith(`.${c.segmentExt}`))).toBe(true);
    expect(playlist.initSegment).toBe(c.segmentExt === 'm4s' ? 'init.mp4' : null);

    const names = playlist.initSegment ? [playlist.initSegment, ...playlist.segments] : playlist.segments;
    for (const name of names) {
      const segment = await fetch(`${stack.baseUrl}/v1/stream/hls/${jobId}/${name}`);
      expect(segment.status).toBe(200);
      expect(segment.headers.get('content-type')).toBe(name.endsWith('.ts') ? 'video/mp2t' : 'video/mp4');
      expect((await segment.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }

    const decoded = await decodePlaylist(manifestUrl);
    expect(Math.abs(decoded.durationSeconds - SECONDS)).toBeLessThanOrEqual(0.1);
    expect(decoded.codec).toBe(c.codec);
    expect(decoded.sampleRate).toBe(c.sampleRate);
    expect(decoded.channels).toBe(2);
    if (c.bitrate !== undefined) {
      expect(decoded.audioBitrate).toBeGreaterThan(c.bitrate * 0.8);
      expect(decoded.audioBitrate).toBeLessThan(c.bitrate * 1.2);
    }
    if (c.bits !== undefined) expect(decoded.bitsPerRawSample).toBe(c.bits);
  });
});

it('keeps nothing but the published output once jobs complete', async () => {
  expect(await stack.leftovers()).toEqual([]);
});
