/** A ladder's parts and its last step, on fake storage, ffmpeg and cancels. */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { PermanentJobError, type TranscodeJobData } from '@stream-server/jobs';
import { silentLogger } from '@stream-server/logger';
import { LOUDNESS_NAME, WAVEFORM_NAME } from '@stream-server/storage';
import { LadderPartProcessor, type ProcessablePart } from '../src/ladder-part-processor';
import { TranscodeProcessor, type ProcessorSettings } from '../src/transcode-processor';
import { FakeCancels, FakeFfmpeg, FakeStorage, fakeJob, JOB_ID, payload, PLAN } from './processor-fakes';

const settings: ProcessorSettings = {
  keepSource: false,
  maxDurationSeconds: 3600,
  timeoutFloorSeconds: 60,
  stallSeconds: 60,
};
const LOW = { ...PLAN, profile: 'low', bitrate: 64_000 } as const;

const ladder: TranscodeJobData = payload({
  renditions: [
    { name: 'low', plan: LOW },
    { name: 'high', plan: PLAN },
  ],
  parts: [
    { rungs: ['high'], extras: true, cost: 3.25 },
    { rungs: ['low'], extras: false, cost: 1.5 },
  ],
});

let storage: FakeStorage;
let ffmpeg: FakeFfmpeg;
let cancels: FakeCancels;

beforeEach(async () => {
  storage = await FakeStorage.create();
  ffmpeg = new FakeFfmpeg();
  cancels = new FakeCancels();
  await storage.addUpload();
});

afterEach(async () => {
  await storage.dispose();
});

function parts(): LadderPartProcessor {
  return new LadderPartProcessor(storage, ffmpeg, { aac: 'aac' }, settings, cancels, 'worker-1', silentLogger);
}

function part(index: number, over: { jobOver?: boolean } = {}): ProcessablePart & { progress: number[] } {
  const progress: number[] = [];
  return {
    data: { version: 1, part: index, job: ladder },
    attemptsMade: 0,
    maxAttempts: 3,
    progress,
    updateProgress: async (percent: number) => {
      progress.push(percent);
    },
    reportPlayable: async () => undefined,
    jobOver: async () => over.jobOver === true,
  };
}

const staging = () => storage.layout.ladderStagingDir(JOB_ID);

it('a part without the extras encodes its rungs alone and stages them', async () => {
  const attempt = part(1);
  expect(await parts().process(attempt)).toEqual({ rungs: ['low'], encoded: true, workerId: 'worker-1' });
  const [encode] = ffmpeg.encodes;
  expect(encode?.job.renditions.map((rendition) => rendition.dir)).toEqual(['low']);
  expect(encode?.job).toMatchObject({ waveformSamplesPerPixel: null, meter: false, download: null });
  expect(await readdir(staging())).toEqual(['low']);
  expect(attempt.progress[attempt.progress.length - 1]).toBe(100);
  // Its work dir is gone; the upload stays for the other part.
  expect(await readdir(storage.layout.tmpDir)).toEqual([path.basename(staging())]);
  expect(await storage.exists(storage.layout.uploadPath(ladder.uploadId))).toBe(true);
});

it('the part with the extras stages them beside its rungs, and the job publishes the whole ladder', async () => {
  await parts().process(part(1));
  await parts().process(part(0));
  expect((await readdir(staging())).sort()).toEqual(['high', LOUDNESS_NAME, 'low', WAVEFORM_NAME].sort());

  const job = new TranscodeProcessor(storage, ffmpeg, { aac: 'aac' }, settings, cancels, silentLogger);
  const result = await job.process(fakeJob(ladder));
  expect(result).toMatchObject({
    renditions: [expect.objectContaining({ name: 'low' }), expect.objectContaining({ name: 'high' })],
    loudness: { integratedLufs: -14, loudnessRangeLu: 4.2, truePeakDbtp: -1.5 },
    waveform: true,
    download: false,
    live: true,
  });
  const out = storage.layout.jobOutputDir(JOB_ID);
  const master = await readFile(path.join(out, 'index.m3u8'), 'utf8');
  expect(master.split('\n').filter((line) => line.endsWith('.m3u8'))).toEqual(['low/index.m3u8', 'high/index.m3u8']);
  expect(await storage.exists(staging())).toBe(false);
  expect(await storage.exists(storage.layout.uploadPath(ladder.uploadId))).toBe(false);
  // The job itself ran no ffmpeg: its parts did.
  expect(ffmpeg.encodes).toHaveLength(2);
});

it('a retried part that finds its rungs staged reports them as they are', async () => {
  await parts().process(part(1));
  expect(await parts().process(part(1))).toEqual({ rungs: ['low'], encoded: false, workerId: 'worker-1' });
  expect(ffmpeg.encodes).toHaveLength(1);
});

it('a part that finds the job over (another part failed it) stops before staging and leaves nothing', async () => {
  await parts().process(part(0));
  await expect(parts().process(part(1, { jobOver: true }))).rejects.toBeInstanceOf(PermanentJobError);
  expect(await storage.exists(staging())).toBe(false);
  expect(await storage.exists(storage.layout.jobLiveDir(JOB_ID))).toBe(false);
  expect(await storage.exists(storage.layout.uploadPath(ladder.uploadId))).toBe(false);
});

it('a cancelled job’s part fails for good as cancelled', async () => {
  cancels.cancelled.add(JOB_ID);
  await expect(parts().process(part(0))).rejects.toThrow('cancelled');
  expect(ffmpeg.encodes).toHaveLength(0);
});
