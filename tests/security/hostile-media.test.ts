/**
 * Hostile uploads, made by the test: playlists and concat scripts in
 * disguise aimed at local files and at a loopback URL, broken headers,
 * lies about duration, decompression bombs, odd shapes, and an ffmpeg that
 * hangs. Each must be accepted and transcoded correctly, or refused with a
 * clear 400, or end in a clear Failed(...) — never a hang, a crash, or a
 * read of someone else's file.
 */
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { decodePlaylist, makeTrack, testBinaries } from '../support/media';
import { runProcess } from '@stream-server/ffmpeg';
import { startStack, submit, waitForJob, type TestStack } from '../support/stack';

let dir: string;
let stack: TestStack;
let secretPath: string;
let urlHits = 0;
let bait: http.Server;
let baitUrl: string;

async function ffmpeg(args: string[]): Promise<void> {
  const { ffmpeg: bin } = await testBinaries();
  const result = await runProcess(bin, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args]);
  if (result.exitCode !== 0) throw new Error(result.stderrTail);
}

async function upload(name: string, bytes: Uint8Array | string, fields: Record<string, string> = {}) {
  return submit(stack.baseUrl, new Blob([bytes]), name, fields);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hostile-'));
  // "Someone else's file": audio that no upload may ever read.
  secretPath = await makeTrack(dir, 'secret', { seconds: 5 });
  bait = http.createServer((_req, res) => {
    urlHits += 1;
    res.end();
  });
  await new Promise<void>((resolve) => bait.listen(0, '127.0.0.1', resolve));
  const address = bait.address();
  baitUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/secret.wav`;
  stack = await startStack('hostile', { env: { MAX_DURATION_SECONDS: '1800' } });
});

afterAll(async () => {
  await stack?.stop();
  await new Promise((resolve) => bait?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('playlists and scripts in disguise', () => {
  const disguises = (): Array<[string, string]> => [
    ['hls-local.mp3', `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:5,\n${secretPath}\n#EXT-X-ENDLIST\n`],
    ['hls-file-url.wav', `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:5,\nfile://${secretPath}\n#EXT-X-ENDLIST\n`],
    ['hls-http.wav', `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:5,\n${baitUrl}\n#EXT-X-ENDLIST\n`],
    [
      'hls-map.m4a',
      `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-MAP:URI="${baitUrl}"\n#EXTINF:5,\n${baitUrl}\n#EXT-X-ENDLIST\n`,
    ],
    ['concat-local.wav', `ffconcat version 1.0\nfile '${secretPath}'\n`],
    ['concat-http.mp3', `ffconcat version 1.0\nfile '${baitUrl}'\n`],
    ['concat-no-header.flac', `file '${secretPath}'\nfile '${secretPath}'\n`],
    ['plain-list.mp3', `${secretPath}\n${baitUrl}\n`],
    [
      'sdp.wav',
      `v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 5004 RTP/AVP 96\na=rtpmap:96 L16/44100/2\n`,
    ],
    ['subtitles.mp3', `1\n00:00:00,000 --> 00:00:05,000\nhello\n\n2\n00:00:05,000 --> 00:00:10,000\nworld\n`],
  ];

  it.each(disguises().map(([name]) => name))('refuses %s with 400 and reads nothing it names', async (name) => {
    const text = disguises().find(([candidate]) => candidate === name)?.[1] ?? '';
    const result = await upload(name, text);
    expect(result.status).toBe(400);
    expect(['INVALID_AUDIO', 'UNSUPPORTED_FORMAT', 'NO_AUDIO_STREAM']).toContain(result.body['code']);
    expect(urlHits).toBe(0);
    expect(await stack.leftovers()).toEqual([]);
    expect(await readdir(path.join(stack.config.storageDir, 'hls'))).toEqual([]);
  });

  it('refuses an image and a video without audio', async () => {
    const png = path.join(dir, 'image.png');
    await ffmpeg(['-f', 'lavfi', '-i', 'color=c=red:s=64x64', '-frames:v', '1', png]);
    expect((await upload('cover.wav', await readFile(png))).status).toBe(400);
    const video = path.join(dir, 'video.mp4');
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc=duration=2:size=64x64:rate=10', '-pix_fmt', 'yuv420p', video]);
    const result = await upload('song.m4a', await readFile(video));
    expect(result.status).toBe(400);
    expect(result.body['code']).toBe('NO_AUDIO_STREAM');
    expect(await stack.leftovers()).toEqual([]);
  });
});

describe('broken and odd files', () => {
  it('refuses truncated and corrupt headers', async () => {
    const wav = await readFile(secretPath);
    expect((await upload('truncated.wav', wav.subarray(0, 30))).status).toBe(400);
    const corrupt = Buffer.from(wav);
    corrupt.write('JUNKJUNK', 12, 'latin1'); // clobber the fmt chunk id and size
    expect((await upload('corrupt.wav', corrupt)).status).toBe(400);
    expect((await upload('empty.wav', new Uint8Array(0))).body['code']).toBe('EMPTY_FILE');
    expect(await stack.leftovers()).toEqual([]);
  });

  it('transcodes a one-sample file', async () => {
    const file = path.join(dir, 'one.wav');
    await ffmpeg(['-f', 'lavfi', '-i', 'sine=sample_rate=44100', '-frames:a', '1', '-c:a', 'pcm_s16le', file]);
    const result = await upload('one.wav', await readFile(file));
    expect(result.status).toBe(200);
    expect((await waitForJob(stack.baseUrl, String(result.body['job_id']))).status).toBe('Completed');
  });

  it('keeps 8 channels in FLAC and downmixes them for AAC', async () => {
    const file = await makeTrack(dir, 'octo', { seconds: 3, channels: 8 });
    for (const [codec, channels] of [
      ['flac', 8],
      ['aac', 2],
    ] as const) {
      const result = await upload('octo.wav', await readFile(file), { codec });
      expect(result.status).toBe(200);
      const job = await waitForJob(stack.baseUrl, String(result.body['job_id']));
      expect(job.status).toBe('Completed');
      const decoded = await decodePlaylist(`${stack.baseUrl}/v1/stream/hls/${job.id}/index.m3u8`);
      expect(decoded.channels).toBe(channels);
      expect(Math.abs(decoded.durationSeconds - 3)).toBeLessThanOrEqual(0.1);
    }
  });

  it('refuses 384 kHz audio over MAX_SAMPLE_RATE with its own code', async () => {
    const file = path.join(dir, 'ultra.wav');
    await ffmpeg(['-f', 'lavfi', '-i', 'sine=sample_rate=384000:duration=1', file]);
    const result = await upload('ultra.wav', await readFile(file));
    expect(result.status).toBe(400);
    expect(result.body).toEqual({ error: expect.stringContaining('384000'), code: 'SAMPLE_RATE_TOO_HIGH' });
  });

  it('accepts audio with cover art and publishes only the audio', async () => {
    const art = path.join(dir, 'art.png');
    await ffmpeg(['-f', 'lavfi', '-i', 'color=c=blue:s=128x128', '-frames:v', '1', art]);
    const mp3 = path.join(dir, 'with-art.mp3');
    await ffmpeg([
      '-i',
      secretPath,
      '-i',
      art,
      '-map',
      '0:a',
      '-map',
      '1:v',
      '-c:a',
      'libmp3lame',
      '-c:v',
      'png',
      '-disposition:v',
      'attached_pic',
      '-id3v2_version',
      '3',
      mp3,
    ]);
    const result = await upload('with-art.mp3', await readFile(mp3));
    expect(result.status).toBe(200);
    const job = await waitForJob(stack.baseUrl, String(result.body['job_id']));
    expect(job.status).toBe('Completed');
    const decoded = await decodePlaylist(`${stack.baseUrl}/v1/stream/hls/${job.id}/index.m3u8`);
    expect(decoded.codec).toBe('aac');
    expect(Math.abs(decoded.durationSeconds - 5)).toBeLessThanOrEqual(0.1);
  });
});

describe('lies about duration and decompression bombs', () => {
  let silence: Buffer;
  beforeAll(async () => {
    // An hour of silence: ~0.5 MB of FLAC that decodes to ~600 MB of PCM.
    const file = path.join(dir, 'silence.flac');
    await ffmpeg(['-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=stereo', '-t', '3600', '-c:a', 'flac', file]);
    silence = await readFile(file);
  });

  /** Rewrites the total-samples field of FLAC's STREAMINFO (36 bits at byte 18). */
  function claimSamples(flac: Buffer, samples: number): Buffer {
    const copy = Buffer.from(flac);
    const packed = copy.readBigUInt64BE(18);
    const patched = (packed & ~0xfffffffffn) | BigInt(samples);
    copy.writeBigUInt64BE(patched, 18);
    return copy;
  }

  it('refuses a bomb longer than MAX_DURATION_SECONDS', async () => {
    const result = await upload('bomb.flac', silence);
    expect(result.status).toBe(400);
    expect(result.body['code']).toBe('DURATION_TOO_LONG');
  });

  it('refuses a header claiming ten hours', async () => {
    const result = await upload('ten-hours.flac', claimSamples(silence, 10 * 3600 * 44_100));
    expect(result.status).toBe(400);
    expect(result.body).toEqual({ error: expect.stringContaining('36000 s'), code: 'DURATION_TOO_LONG' });
  });

  it('caps the output of a bomb whose header under-states its length', async () => {
    const small = await startStack('hostile-cap', { env: { MAX_DURATION_SECONDS: '40' } });
    try {
      const result = await submit(small.baseUrl, new Blob([claimSamples(silence, 30 * 44_100)]), 'liar.flac');
      expect(result.status).toBe(200);
      const job = await waitForJob(small.baseUrl, String(result.body['job_id']));
      expect(job.status).toBe('Completed');
      const decoded = await decodePlaylist(`${small.baseUrl}/v1/stream/hls/${job.id}/index.m3u8`);
      expect(decoded.durationSeconds).toBeLessThanOrEqual(40.1);
    } finally {
      await small.stop();
    }
  });
});

describe('an ffmpeg that hangs', () => {
  it('is killed by the attempt timeout; with no attempt left the job fails with that reason', async () => {
    const { ffmpeg: realFfmpeg, ffprobe } = await testBinaries();
    // Behaves like ffmpeg for start-up checks, hangs on a real transcode.
    const wrapper = path.join(dir, 'hanging-ffmpeg');
    await writeFile(
      wrapper,
      `#!/bin/sh\ncase "$*" in *-progress*) exec sleep 600 ;; esac\nexec "${realFfmpeg}" "$@"\n`,
    );
    await chmod(wrapper, 0o755);
    const hanging = await startStack('hostile-hang', {
      // One attempt: a timeout is retried like any kill while attempts remain.
      env: { FFMPEG_PATH: wrapper, FFPROBE_PATH: ffprobe, JOB_TIMEOUT_FLOOR_SECONDS: '2', JOB_ATTEMPTS: '1' },
    });
    try {
      const result = await submit(hanging.baseUrl, new Blob([await readFile(secretPath)]), 'fine.wav');
      expect(result.status).toBe(200);
      const started = Date.now();
      const job = await waitForJob(hanging.baseUrl, String(result.body['job_id']), 30_000);
      expect(job).toMatchObject({ status: 'Failed(ffmpeg timed out)', error: 'ffmpeg timed out', attempts: 1 });
      // 2 s floor + 2 s per second of a 5 s track, then the kill.
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(await hanging.leftovers()).toEqual([]);
    } finally {
      await hanging.stop();
    }
  });
});
