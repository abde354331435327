/**
 * Progress follows the bytes ffmpeg has read, not the header's duration:
 * the position of its descriptor on the source, read from /proc, on real
 * processes and a FLAC whose STREAMINFO lies.
 */
import { openSync, closeSync, readSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  FfmpegRepository,
  InputReadTracker,
  parseFdinfoPosition,
  resolveBinaries,
  runProcess,
  type EncodeJob,
  type FfmpegBinaries,
} from '@stream-server/ffmpeg';
import type { EncodingPlan } from '@stream-server/profiles';

let dir: string;
let binaries: FfmpegBinaries;
let tone: Buffer;
const SECONDS = 300;

beforeAll(async () => {
  dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'input-progress-')));
  binaries = await resolveBinaries({});
  const file = path.join(dir, 'tone.flac');
  const made = await runProcess(binaries.ffmpeg, [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:duration=${SECONDS}`,
    '-ac',
    '2',
    '-c:a',
    'flac',
    file,
  ]);
  expect(made.exitCode).toBe(0);
  tone = await readFile(file);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseFdinfoPosition', () => {
  it('reads the pos line', () => {
    expect(parseFdinfoPosition('pos:\t4096\nflags:\t0100000\nmnt_id:\t25\nino:\t12\n')).toBe(4096);
    expect(parseFdinfoPosition('flags:\t02\npos:\t0\n')).toBe(0);
  });

  it('is null without one', () => {
    expect(parseFdinfoPosition('flags:\t0100000\n')).toBeNull();
    expect(parseFdinfoPosition('')).toBeNull();
    expect(parseFdinfoPosition('pos:\tx\n')).toBeNull();
  });
});

describe('InputReadTracker', () => {
  it("tells how far a live process has read a file (this one's own descriptor)", () => {
    const file = path.join(dir, 'tone.flac');
    const fd = openSync(file, 'r');
    try {
      const tracker = new InputReadTracker(process.pid, file, tone.length);
      expect(tracker.fraction()).toBe(0);
      readSync(fd, Buffer.alloc(tone.length), 0, Math.floor(tone.length / 4), null);
      expect(tracker.fraction()).toBeCloseTo(0.25, 3);
    } finally {
      closeSync(fd);
    }
  });

  it('is null for a file the process does not hold open, an empty file, or a process that is gone', () => {
    expect(new InputReadTracker(process.pid, path.join(dir, 'nothing'), 10).fraction()).toBeNull();
    expect(new InputReadTracker(process.pid, path.join(dir, 'tone.flac'), 0).fraction()).toBeNull();
    expect(new InputReadTracker(2 ** 22 + 1, path.join(dir, 'tone.flac'), 10).fraction()).toBeNull();
  });
});

/** Rewrites the total-samples field of FLAC's STREAMINFO (36 bits at byte 18). */
function claimSamples(flac: Buffer, samples: number): Buffer {
  const copy = Buffer.from(flac);
  const packed = copy.readBigUInt64BE(18);
  copy.writeBigUInt64BE((packed & ~0xfffffffffn) | BigInt(Math.round(samples)), 18);
  return copy;
}

const PLAN: EncodingPlan = {
  codec: 'aac',
  profile: 'high',
  bitrate: 192_000,
  sampleRate: 44_100,
  channels: 2,
  bitDepth: null,
  container: 'mpegts',
};

/** Encodes a FLAC whose header claims `claimedSeconds`; returns each progress report with the share of the run elapsed. */
async function encodeLiar(name: string, claimedSeconds: number) {
  const input = path.join(dir, name);
  await writeFile(input, claimSamples(tone, claimedSeconds * 44_100));
  const workDir = path.join(dir, `${name}.out`);
  await mkdir(workDir);
  const job: EncodeJob = {
    input,
    demuxer: 'flac',
    renditions: [{ dir: null, plan: PLAN, encoder: 'aac' }],
    segmentSeconds: 6,
    maxDurationSeconds: 3600,
    sourceSampleRate: 44_100,
    sourceChannels: 2,
    normalize: null,
    download: null,
    waveformSamplesPerPixel: 512,
  };
  const reports: Array<{ at: number; percent: number }> = [];
  const started = Date.now();
  // The probe would have said claimedSeconds: that is the duration the worker passes.
  await new FfmpegRepository(binaries).encode(job, {
    workDir,
    durationSeconds: claimedSeconds,
    timeoutMs: 120_000,
    onProgress: (percent) => reports.push({ at: Date.now() - started, percent }),
  });
  const total = Date.now() - started;
  return reports.map((r) => ({ share: r.at / total, percent: r.percent }));
}

describe('progress of an encode whose header lies', () => {
  it('does not reach 90 % early when the header under-states the length sevenfold', async () => {
    const reports = await encodeLiar('short-claim.flac', SECONDS / 7);
    expect(reports.length).toBeGreaterThanOrEqual(3);
    const percents = reports.map((r) => r.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    // By the header, 90 % would come after an eighth of the run.
    const early = reports.filter((r) => r.share < 0.5);
    for (const report of early) expect(report.percent).toBeLessThan(70);
  }, 120_000);

  it('nears 100 % by the end when the header over-states the length threefold', async () => {
    const reports = await encodeLiar('long-claim.flac', SECONDS * 3);
    expect(reports.length).toBeGreaterThanOrEqual(3);
    // By the header, the last report would say at most a third.
    expect(reports.at(-1)?.percent).toBeGreaterThan(80);
    expect(reports.at(-1)?.percent).toBeLessThanOrEqual(99.9);
  }, 120_000);
});
