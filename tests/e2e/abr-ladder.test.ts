/**
 * End to end: an ABR ladder made in one ffmpeg pass, its
 * multivariant playlist checked against the real segments, every rung
 * decoded back over HTTP; loudness measured and normalised; the waveform
 * compared with the audio; the download file; source metadata.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseMediaPlaylist, runProcess, timedSegments } from '@stream-server/ffmpeg';
import {
  decodePlaylist,
  makePeakyTrack,
  makeStepTrack,
  makeTrack,
  measureLoudness,
  testBinaries,
} from '../support/media';
import { readJson, startStack, submit, waitForJob, type JobBody, type TestStack } from '../support/stack';

const SECONDS = 20;
const QUIET_GAIN = 0.1;

let stack: TestStack;
let fixtures: string;
let ladder: JobBody;
let normalised: JobBody;
let single: JobBody;
let limited: JobBody;

beforeAll(async () => {
  fixtures = await mkdtemp(path.join(os.tmpdir(), 'abr-fixtures-'));
  const step = new Blob([
    await readFile(
      await makeStepTrack(fixtures, 'step', {
        seconds: SECONDS,
        quietGain: QUIET_GAIN,
        tags: { title: '  Song\u0007 Title ', artist: 'The Band', album: 'Album', track: '3' },
      }),
    ),
  ]);
  const steady = new Blob([await readFile(await makeTrack(fixtures, 'steady', { seconds: SECONDS }))]);
  const peaky = new Blob([await readFile(await makePeakyTrack(fixtures, 'peaky', SECONDS))]);
  stack = await startStack('abr', { env: { WORKER_CONCURRENCY: '2' } });
  const submitted = await Promise.all([
    submit(stack.baseUrl, step, 'step.wav', { renditions: 'high,low,medium', download: 'true' }),
    submit(stack.baseUrl, steady, 'steady.wav', { abr: 'true', normalize: '1' }),
    submit(stack.baseUrl, steady, 'single.wav', { quality_profile: 'low' }),
    // Quiet with full-scale clicks: one gain up to -14 LUFS would clip, so loudnorm's limiter works.
    submit(stack.baseUrl, peaky, 'limited.wav', { normalize: 'true', quality_profile: 'medium' }),
  ]);
  const ids = submitted.map(({ status, body }) => {
    expect(status).toBe(200);
    return String(body['job_id']);
  });
  const [a, b, c, d] = ids;
  if (a === undefined || b === undefined || c === undefined || d === undefined) throw new Error('four jobs expected');
  const wait = (id: string) => waitForJob(stack.baseUrl, id, 60_000);
  [ladder, normalised, single, limited] = await Promise.all([wait(a), wait(b), wait(c), wait(d)]);
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  await rm(fixtures, { recursive: true, force: true });
});

async function text(url: string): Promise<string> {
  const response = await fetch(`${stack.baseUrl}${url}`);
  expect(response.status).toBe(200);
  return response.text();
}

function list(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) throw new Error(`not a list: ${JSON.stringify(value)}`);
  return value.map((item: unknown) => Object.fromEntries(Object.entries(item as object)));
}

function record(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw new Error(`not an object: ${JSON.stringify(value)}`);
  return Object.fromEntries(Object.entries(value));
}

describe('ABR ladder in one pass', () => {
  it('completes with three renditions in the job body, lowest first', () => {
    expect(ladder.status).toBe('Completed');
    const renditions = list(ladder['renditions']);
    expect(renditions.map((r) => r['name'])).toEqual(['low', 'medium', 'high']);
    expect(renditions.map((r) => r['bitrate'])).toEqual([64_000, 128_000, 256_000]);
    for (const rendition of renditions) {
      expect(rendition['codec']).toBe('aac');
      expect(rendition['playlist_url']).toBe(`/v1/stream/hls/${ladder.id}/${String(rendition['name'])}/index.m3u8`);
      expect(typeof rendition['bandwidth']).toBe('number');
    }
    // The seed's fields describe the top rung.
    expect(ladder).toMatchObject({ codec: 'aac', quality_profile: 'high', bitrate: 256_000 });
  });

  it('the multivariant playlist matches the real segments', async () => {
    const master = await text(`/v1/stream/hls/${ladder.id}/index.m3u8`);
    const lines = master.trim().split('\n');
    expect(lines[0]).toBe('#EXTM3U');
    expect(lines[2]).toBe('#EXT-X-INDEPENDENT-SEGMENTS');
    const version = Number(/^#EXT-X-VERSION:(\d+)$/.exec(lines[1] ?? '')?.[1]);
    const mediaVersions: number[] = [];
    const variants = [];
    for (let i = 3; i < lines.length; i += 2) {
      const match = /^#EXT-X-STREAM-INF:BANDWIDTH=(\d+),AVERAGE-BANDWIDTH=(\d+),CODECS="([^"]+)"$/.exec(lines[i] ?? '');
      expect(match).not.toBeNull();
      variants.push({
        bandwidth: Number(match?.[1]),
        average: Number(match?.[2]),
        codecs: match?.[3],
        uri: lines[i + 1] ?? '',
      });
    }
    expect(variants.map((v) => v.uri)).toEqual(['low/index.m3u8', 'medium/index.m3u8', 'high/index.m3u8']);
    expect(variants.map((v) => v.codecs)).toEqual(['mp4a.40.2', 'mp4a.40.2', 'mp4a.40.2']);
    const bandwidths = variants.map((v) => v.bandwidth);
    expect([...bandwidths].sort((a, b) => a - b)).toEqual(bandwidths);
    // Distinct rungs: equal BANDWIDTHs make players treat them as redundant copies of one stream.
    expect(new Set(bandwidths).size).toBe(3);

    for (const variant of variants) {
      const mediaUrl = `/v1/stream/hls/${ladder.id}/${variant.uri}`;
      const media = await text(mediaUrl);
      mediaVersions.push(Number(/^#EXT-X-VERSION:(\d+)$/m.exec(media)?.[1] ?? 1));
      const playlist = parseMediaPlaylist(media);
      expect(playlist.ended).toBe(true);
      let bytes = 0;
      const sizes: { bytes: number; seconds: number }[] = [];
      for (const segment of timedSegments(media)) {
        expect(segment.seconds).toBeLessThanOrEqual((playlist.targetDuration ?? 0) + 0.5);
        const response = await fetch(`${stack.baseUrl}${mediaUrl.replace('index.m3u8', segment.uri)}`);
        expect(response.status).toBe(200);
        const size = (await response.arrayBuffer()).byteLength;
        bytes += size;
        sizes.push({ bytes: size, seconds: segment.seconds });
      }
      // RFC 8216's peak segment bit rate: the most demanding run of segments
      // lasting 0.5-1.5 target durations, from the files as served.
      const target = playlist.targetDuration ?? 0;
      let peak = 0;
      sizes.forEach((_first, i) => {
        let runBytes = 0;
        let runSeconds = 0;
        for (const run of sizes.slice(i)) {
          runBytes += run.bytes;
          runSeconds += run.seconds;
          if (runSeconds > 1.5 * target) break;
          if (runSeconds >= 0.5 * target) peak = Math.max(peak, (runBytes * 8) / runSeconds);
        }
      });
      expect(peak).toBeGreaterThan(0);
      expect(variant.bandwidth).toBe(Math.ceil(peak));
      expect(variant.average).toBe(Math.ceil((bytes * 8) / playlist.durationSeconds));
    }
    // The multivariant playlist declares the version its rungs need.
    expect(version).toBe(Math.max(3, ...mediaVersions));
  });

  it('every rendition decodes over HTTP back to the source duration', async () => {
    const decoded = await Promise.all(
      ['low', 'medium', 'high'].map((name) =>
        decodePlaylist(`${stack.baseUrl}/v1/stream/hls/${ladder.id}/${name}/index.m3u8`),
      ),
    );
    for (const audio of decoded) {
      expect(audio.codec).toBe('aac');
      expect(Math.abs(audio.durationSeconds - SECONDS)).toBeLessThanOrEqual(0.1);
    }
    // Bitrates climb with the rungs.
    expect(decoded[0]?.audioBitrate).toBeLessThan(decoded[1]?.audioBitrate ?? 0);
    expect(decoded[1]?.audioBitrate).toBeLessThan(decoded[2]?.audioBitrate ?? 0);
  });

  it('reports source metadata and tags, cleaned', () => {
    expect(ladder['source']).toEqual({
      codec: 'pcm_s16le',
      sample_rate: 44_100,
      channels: 2,
      bitrate: 1_411_200,
      duration_seconds: SECONDS,
      tags: { title: 'Song Title', artist: 'The Band', album: 'Album', track: '3' },
    });
  });

  it('measures the loudness of every job (the quiet half lowers it)', () => {
    const loudness = record(ladder['loudness']);
    expect(loudness['integrated_lufs']).toBeLessThan(-10);
    expect(loudness['integrated_lufs']).toBeGreaterThan(-40);
    expect(loudness['loudness_range_lu']).toBeGreaterThan(5); // a 20 dB step
    expect(typeof loudness['true_peak_dbtp']).toBe('number');
    expect(ladder['output_loudness']).toBeNull();
    expect(ladder['normalize']).toBe(false);
  });

  it('serves a waveform whose length and peaks match the audio', async () => {
    expect(ladder['waveform_url']).toBe(`/v1/stream/job/${ladder.id}/waveform.json`);
    const response = await fetch(`${stack.baseUrl}/v1/stream/job/${ladder.id}/waveform.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const waveform = await readJson(response);
    expect(waveform).toMatchObject({ version: 2, channels: 1, sample_rate: 44_100, samples_per_pixel: 512, bits: 8 });
    const length = Number(waveform['length']);
    expect(length).toBe(Math.ceil((SECONDS * 44_100) / 512));
    const data = waveform['data'];
    if (!Array.isArray(data)) throw new Error('no data');
    expect(data).toHaveLength(length * 2);
    const values = data.map(Number);
    expect(values.every((v) => Number.isInteger(v) && v >= -128 && v <= 127)).toBe(true);
    const peakOf = (from: number, to: number) => {
      let peak = 0;
      for (let i = from; i < to; i += 2) peak = Math.max(peak, Math.abs(values[i] ?? 0), Math.abs(values[i + 1] ?? 0));
      return peak;
    };
    const loud = peakOf(0, length - (length % 2));
    const quiet = peakOf(length + (length % 2), length * 2);
    expect(loud).toBeGreaterThan(40); // the loud half peaks near -6 dBFS: about 64 of 127
    // The second half is 20 dB down: a tenth of the peak, give or take a step of 8-bit rounding.
    expect(quiet / loud).toBeGreaterThan(QUIET_GAIN * 0.6);
    expect(quiet / loud).toBeLessThan(QUIET_GAIN * 1.6);
  });

  it('serves download.m4a: AAC in MP4, whole track, as an attachment', async () => {
    expect(ladder['download_url']).toBe(`/v1/stream/job/${ladder.id}/download`);
    const response = await fetch(`${stack.baseUrl}/v1/stream/job/${ladder.id}/download`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('audio/mp4');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="step.m4a"; filename*=UTF-8''step.m4a`,
    );
    const file = path.join(fixtures, 'download.m4a');
    await import('node:fs/promises').then(async (fs) => fs.writeFile(file, Buffer.from(await response.arrayBuffer())));
    const { ffprobe } = await testBinaries();
    const probe = await runProcess(
      ffprobe,
      ['-v', 'error', '-show_entries', 'format=format_name,duration:stream=codec_name', '-of', 'json', file],
      {
        collectStdout: true,
      },
    );
    const info = JSON.parse(probe.stdout) as {
      format: { format_name: string; duration: string };
      streams: { codec_name: string }[];
    };
    expect(info.format.format_name).toContain('mp4');
    expect(info.streams.map((s) => s.codec_name)).toEqual(['aac']);
    expect(Math.abs(Number(info.format.duration) - SECONDS)).toBeLessThanOrEqual(0.1);
  });

  it('rendition routes accept profile names only', async () => {
    for (const bad of ['..', 'bogus', 'LOW', '%2e%2e']) {
      const response = await fetch(`${stack.baseUrl}/v1/stream/hls/${ladder.id}/${bad}/index.m3u8`);
      expect([400, 404]).toContain(response.status);
      expect(response.headers.get('content-type')).toMatch(/json/);
    }
    const response = await fetch(`${stack.baseUrl}/v1/stream/hls/${ladder.id}/bogus/segment_00001.ts`);
    expect(response.status).toBe(400);
    expect((await readJson(response))['code']).toBe('INVALID_RENDITION_NAME');
    const missing = await fetch(`${stack.baseUrl}/v1/stream/hls/${ladder.id}/hi_res/index.m3u8`);
    expect(missing.status).toBe(404);
    expect((await readJson(missing))['code']).toBe('MANIFEST_NOT_FOUND');
  });
});

describe('normalize=true', () => {
  it('brings every rendition within 0.5 LU of the target, measured by ebur128', async () => {
    expect(normalised.status).toBe('Completed');
    expect(normalised['normalize']).toBe(true);
    const source = record(normalised['loudness']);
    const output = record(normalised['output_loudness']);
    // The fixture sits far below -14 LUFS: normalisation had work to do.
    expect(Number(source['integrated_lufs'])).toBeLessThan(-20);
    expect(Math.abs(Number(output['integrated_lufs']) - -14)).toBeLessThanOrEqual(0.5);
    expect(Number(output['true_peak_dbtp'])).toBeLessThanOrEqual(-1 + 0.1);
    for (const name of ['low', 'high']) {
      const measured = await measureLoudness(`${stack.baseUrl}/v1/stream/hls/${normalised.id}/${name}/index.m3u8`);
      expect(Math.abs(measured.integratedLufs - -14)).toBeLessThanOrEqual(0.5);
    }
  });

  it('reaches the target through loudnorm when a plain gain would push peaks over the ceiling', async () => {
    expect(limited.status).toBe('Completed');
    const source = record(limited['loudness']);
    expect(Number(source['true_peak_dbtp']) + (-14 - Number(source['integrated_lufs']))).toBeGreaterThan(-1);
    const measured = await measureLoudness(`${stack.baseUrl}/v1/stream/hls/${limited.id}/index.m3u8`);
    expect(Math.abs(measured.integratedLufs - -14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(Number(record(limited['output_loudness'])['integrated_lufs']) - -14)).toBeLessThanOrEqual(0.5);
  });

  it('has no download when none was asked', async () => {
    expect(normalised['download_url']).toBeNull();
    const response = await fetch(`${stack.baseUrl}/v1/stream/job/${normalised.id}/download`);
    expect(response.status).toBe(404);
    expect((await readJson(response))['code']).toBe('DOWNLOAD_NOT_FOUND');
  });
});

describe('one-rendition jobs keep their layout', () => {
  it('root index.m3u8 stays a media playlist, with the new fields filled in', async () => {
    expect(single.status).toBe('Completed');
    const playlist = parseMediaPlaylist(await text(`/v1/stream/hls/${single.id}/index.m3u8`));
    expect(playlist.segments[0]).toBe('segment_00001.ts');
    expect(list(single['renditions'])).toEqual([
      expect.objectContaining({
        name: 'low',
        codec: 'aac',
        bitrate: 64_000,
        playlist_url: `/v1/stream/hls/${single.id}/index.m3u8`,
      }),
    ]);
    expect(single['waveform_url']).toBe(`/v1/stream/job/${single.id}/waveform.json`);
    expect(single['loudness']).not.toBeNull();
  });
});

describe('submit fields', () => {
  it.each([
    [{ renditions: 'low,low' }, 'INVALID_RENDITIONS'],
    [{ renditions: 'low,ultra' }, 'INVALID_RENDITIONS'],
    [{ renditions: 'low,high', codec: 'flac' }, 'INVALID_RENDITIONS'],
    [{ renditions: 'low,high', bitrate: '128000' }, 'INVALID_RENDITIONS'],
    [{ normalize: 'maybe' }, 'INVALID_BOOLEAN'],
    [{ download: 'yes please' }, 'INVALID_BOOLEAN'],
  ])('%p → 400 %s', async (fields, code) => {
    const { status, body } = await submit(stack.baseUrl, new Blob([Buffer.alloc(64)]), 'x.wav', fields);
    expect(status).toBe(400);
    expect(body['code']).toBe(code);
    expect(await stack.settledLeftovers()).toEqual([]);
  });

  it('waveform of an unknown job is 404 JOB_NOT_FOUND', async () => {
    const response = await fetch(`${stack.baseUrl}/v1/stream/job/00000000-0000-4000-8000-000000000000/waveform.json`);
    expect(response.status).toBe(404);
    expect((await readJson(response))['code']).toBe('JOB_NOT_FOUND');
  });
});
