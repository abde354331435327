/**
 * The whitelists on real ffprobe/ffmpeg: stored uploads have no extension,
 * which already stops ffmpeg from sniffing them as HLS, and concat is never
 * sniffed; these tests name the files as an attacker would like them named
 * to show the whitelists hold on their own (defence in depth). The encodes
 * run as the worker runs them: pass 1 of normalisation (measureLoudness),
 * then the one-process encode (encode) with its waveform pipe, download
 * and, for a ladder, a folder per rendition.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {
  DOWNLOAD_FILE,
  FfmpegError,
  FfmpegRepository,
  resolveBinaries,
  runProcess,
  type EncodeJob,
  type FfmpegBinaries,
  type RenditionOutput,
} from '@stream-server/ffmpeg';
import type { EncodingPlan } from '@stream-server/profiles';

let dir: string;
let binaries: FfmpegBinaries;
let secret: string;
let urlHits = 0;
let bait: http.Server;
let baitUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'untrusted-'));
  binaries = await resolveBinaries({});
  // ADTS AAC: an extension ffmpeg's HLS demuxer accepts for segments
  // (newer builds refuse e.g. .wav segments, older ones anything goes).
  secret = path.join(dir, 'secret.aac');
  const made = await runProcess(binaries.ffmpeg, [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'sine=duration=3',
    '-c:a',
    'aac',
    secret,
  ]);
  expect(made.exitCode).toBe(0);
  // A loopback server standing for any URL a payload may name: it counts requests.
  bait = http.createServer((_req, res) => {
    urlHits += 1;
    res.end();
  });
  await new Promise<void>((resolve) => bait.listen(0, '127.0.0.1', resolve));
  const address = bait.address();
  baitUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/secret.aac`;
});

afterAll(async () => {
  await new Promise((resolve) => bait?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const PLAN: EncodingPlan = {
  codec: 'aac',
  profile: 'low',
  bitrate: 64_000,
  sampleRate: 44_100,
  channels: 1,
  bitDepth: null,
  container: 'mpegts',
};

it('ffprobe would read a playlist named .m3u8, but not with our arguments', async () => {
  const playlist = path.join(dir, 'evil.m3u8');
  await writeFile(playlist, `#EXTM3U\n#EXT-X-TARGETDURATION:5\n#EXTINF:3,\n${secret}\n#EXT-X-ENDLIST\n`);
  // Without the whitelist ffprobe follows the playlist to the secret file…
  const naive = await runProcess(
    binaries.ffprobe,
    ['-v', 'error', '-show_entries', 'format=format_name', '-of', 'csv=p=0', playlist],
    {
      collectStdout: true,
    },
  );
  expect(naive.stdout.trim()).toBe('hls');
  // …with it, the file is refused.
  const ffmpeg = new FfmpegRepository(binaries);
  const outcome = await ffmpeg.probe(playlist);
  expect(outcome.ok).toBe(false);
});

/** Payloads that make the demuxer they name open another file or a URL. */
const PAYLOADS = [
  {
    demuxer: 'hls',
    target: 'a local file',
    text: () => `#EXTM3U\n#EXT-X-TARGETDURATION:5\n#EXTINF:3,\n${secret}\n#EXT-X-ENDLIST\n`,
  },
  {
    demuxer: 'hls',
    target: 'a URL',
    text: () =>
      `#EXTM3U\n#EXT-X-TARGETDURATION:5\n#EXT-X-MAP:URI="${baitUrl}"\n#EXTINF:3,\n${baitUrl}\n#EXT-X-ENDLIST\n`,
  },
  { demuxer: 'concat', target: 'a local file', text: () => `ffconcat version 1.0\nfile '${secret}'\n` },
  { demuxer: 'concat', target: 'a URL', text: () => `ffconcat version 1.0\nfile '${baitUrl}'\n` },
];

/** What the worker asks for: one rendition at the root, or a ladder (a folder per rung) with the download. */
const LAYOUTS = [
  { layout: 'one rendition', renditions: [{ dir: null, plan: PLAN, encoder: 'aac' }], download: false },
  {
    layout: 'a ladder with download',
    renditions: [
      { dir: 'low', plan: PLAN, encoder: 'aac' },
      { dir: 'high', plan: { ...PLAN, profile: 'high', bitrate: 128_000 }, encoder: 'aac' },
    ],
    download: true,
  },
] satisfies ReadonlyArray<{ layout: string; renditions: RenditionOutput[]; download: boolean }>;

const CASES = PAYLOADS.flatMap((payload) => LAYOUTS.map((layout) => ({ ...payload, ...layout })));

it.each(CASES)(
  'ffmpeg refuses to read an upload as $demuxer naming $target, even if a payload asked for it ($layout)',
  async (c) => {
    const name = `${c.demuxer}-${c.target}-${c.layout}`.replace(/[^a-z]+/g, '-');
    const input = path.join(dir, `evil-${name}`);
    await writeFile(input, c.text());
    const workDir = path.join(dir, `out-${name}`);
    await mkdir(workDir);
    // The worker makes the rungs' folders before it runs ffmpeg.
    const folders = c.renditions.flatMap((rendition) => (rendition.dir === null ? [] : [rendition.dir]));
    for (const folder of folders) await mkdir(path.join(workDir, folder));
    const ffmpeg = new FfmpegRepository(binaries);
    const run = { workDir, durationSeconds: 3, timeoutMs: 30_000 };

    // Pass 1 of normalize=true.
    await expect(
      ffmpeg.measureLoudness({ input, demuxer: c.demuxer, sampleRate: 44_100, channels: 1 }, 60, run),
    ).rejects.toBeInstanceOf(FfmpegError);

    const job: EncodeJob = {
      input,
      demuxer: c.demuxer,
      renditions: c.renditions,
      segmentSeconds: 6,
      maxDurationSeconds: 60,
      sourceSampleRate: 44_100,
      sourceChannels: 1,
      // Pass 2 as it would run with pass 1's figures.
      normalize: {
        target: { integratedLufs: -14, truePeakDbtp: -1 },
        measured: { integratedLufs: -20, loudnessRangeLu: 1, truePeakDbtp: -9, thresholdLufs: -30, targetOffsetLu: 0 },
      },
      waveformSamplesPerPixel: 512,
      download: c.download
        ? { plan: { ...PLAN, profile: 'high', bitrate: 256_000 }, encoder: 'aac', file: DOWNLOAD_FILE }
        : null,
    };
    await expect(ffmpeg.encode(job, run)).rejects.toBeInstanceOf(FfmpegError);

    // Nothing was written: no byte of the secret reached an output, and no URL was asked for.
    expect((await readdir(workDir)).sort()).toEqual([...folders].sort());
    for (const folder of folders) expect(await readdir(path.join(workDir, folder))).toEqual([]);
    expect(urlHits).toBe(0);
  },
);
