/** The processor's steps in sequence, on fake storage, ffmpeg and cancels. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DOWNLOAD_FILE, FfmpegError } from '@stream-server/ffmpeg';
import { JobHandedBackError, PermanentJobError } from '@stream-server/jobs';
import { silentLogger } from '@stream-server/logger';
import { LOUDNESS_NAME, WAVEFORM_NAME } from '@stream-server/storage';
import { ABORT_REASONS, TranscodeProcessor, type ProcessorSettings } from '../src/transcode-processor';
import {
  FakeCancels,
  FakeFfmpeg,
  FakeStorage,
  fakeJob,
  JOB_ID,
  LOUDNESS_TARGET,
  MEASURED,
  payload,
  PLAN,
  writeRendition,
} from './processor-fakes';

const settings: ProcessorSettings = {
  keepSource: false,
  maxDurationSeconds: 3600,
  timeoutFloorSeconds: 60,
  stallSeconds: 60,
};

let storage: FakeStorage;
let ffmpeg: FakeFfmpeg;
let cancels: FakeCancels;
let upload: string;
/** The job's live copy (live/<job>/). */
let live: string;

beforeEach(async () => {
  storage = await FakeStorage.create();
  live = storage.layout.jobLiveDir(JOB_ID);
  ffmpeg = new FakeFfmpeg();
  cancels = new FakeCancels();
  upload = await storage.addUpload();
});

afterEach(async () => {
  await storage.dispose();
});

function processor(
  over: Partial<ProcessorSettings> = {},
  encoders: Record<string, string> = { aac: 'aac', mp3: 'libmp3lame' },
): TranscodeProcessor {
  return new TranscodeProcessor(storage, ffmpeg, encoders, { ...settings, ...over }, cancels, silentLogger);
}

function ffmpegFailure(message: string, permanent: boolean, timedOut = false): FfmpegError {
  return new FfmpegError(message, permanent, {
    exitCode: 1,
    signal: null,
    stdout: '',
    stderrTail: '',
    timedOut,
    stalled: false,
    aborted: false,
  });
}

it('encodes, publishes with the loudness and waveform beside, and drops the source', async () => {
  const job = fakeJob(payload());
  const result = await processor().process(job);

  expect(result).toEqual({
    segments: 2,
    outputDurationSeconds: 8,
    renditions: [expect.objectContaining({ name: 'high', segments: 2, codecs: 'mp4a.40.2' })],
    loudness: { integratedLufs: -14, loudnessRangeLu: 4.2, truePeakDbtp: -1.5 },
    outputLoudness: null,
    waveform: true,
    download: false,
    live: true,
  });
  const out = storage.layout.jobOutputDir(JOB_ID);
  // Playable once, from the live copy; that copy is gone once the output is published.
  expect(job.playable.count).toBe(1);
  expect(await readFile(path.join(out, 'live.m3u8'), 'utf8')).toContain('#EXT-X-ENDLIST');
  expect(await readFile(path.join(out, 'index.m3u8'), 'utf8')).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
  expect(storage.published).toEqual([JOB_ID]);
  expect(JSON.parse(await readFile(path.join(out, LOUDNESS_NAME), 'utf8'))).toEqual({
    loudness: result.loudness,
    outputLoudness: null,
  });
  expect(JSON.parse(await readFile(path.join(out, WAVEFORM_NAME), 'utf8'))).toMatchObject({
    sample_rate: 44_100,
    samples_per_pixel: 256,
    length: 2,
    data: [0, 127, -128, 0],
  });
  expect(storage.removed).toEqual([live, upload]);
  expect(await storage.exists(live)).toBe(false);
  expect(job.progress).toEqual([50]);
  expect(ffmpeg.encodes[0]?.job).toMatchObject({
    input: upload,
    demuxer: 'wav',
    normalize: null,
    download: null,
    waveformSamplesPerPixel: 256,
  });
  expect(ffmpeg.encodes[0]?.run.progressSpan).toEqual([0, 99.9]);
});

it('refuses a payload that fails the job schema, for good', async () => {
  const attempt = processor().process(fakeJob({ ...payload(), version: 2 }));
  await expect(attempt).rejects.toThrow(PermanentJobError);
  await expect(attempt).rejects.toThrow(/^invalid job payload: version: /);
  expect(ffmpeg.encodes).toEqual([]);
});

it('refuses a download without its plan as an invalid payload', async () => {
  await expect(processor().process(fakeJob(payload({ download: true })))).rejects.toThrow(
    /^invalid job payload: downloadPlan: /,
  );
});

it('refuses a payload without output settings as an invalid payload', async () => {
  const { outputs: _outputs, ...older } = payload();
  const attempt = processor().process(fakeJob(older));
  await expect(attempt).rejects.toThrow(PermanentJobError);
  await expect(attempt).rejects.toThrow(/^invalid job payload: outputs: /);
  expect(ffmpeg.encodes).toEqual([]);
});

it("writes the job's segment length, waveform resolution and loudness target, not the worker's", async () => {
  const target = { integratedLufs: -23, truePeakDbtp: -2 };
  await processor().process(
    fakeJob(
      payload({
        normalize: true,
        outputs: { segmentSeconds: 10, waveform: { samplesPerPixel: 2048 }, loudnessTarget: target },
      }),
    ),
  );
  expect(ffmpeg.encodes[0]?.job).toMatchObject({ segmentSeconds: 10, normalize: { target, measured: MEASURED } });
  const waveform = path.join(storage.layout.jobOutputDir(JOB_ID), WAVEFORM_NAME);
  expect(JSON.parse(await readFile(waveform, 'utf8'))).toMatchObject({ samples_per_pixel: 2048 });
});

it('rebuilds the result of an output an earlier attempt published, without encoding', async () => {
  const out = storage.layout.jobOutputDir(JOB_ID);
  await writeRendition(out);
  const loudness = { integratedLufs: -20, loudnessRangeLu: 5, truePeakDbtp: -1 };
  await writeFile(path.join(out, LOUDNESS_NAME), JSON.stringify({ loudness, outputLoudness: null }));
  await writeFile(path.join(out, WAVEFORM_NAME), '{}');

  const result = await processor().process(fakeJob(payload(), 1));
  expect(result).toMatchObject({
    segments: 2,
    outputDurationSeconds: 8,
    loudness,
    outputLoudness: null,
    waveform: true,
    download: false,
  });
  expect(ffmpeg.encodes).toEqual([]);
  expect(storage.createdWorkDirs).toEqual([]);
  expect(storage.removed).toEqual([live, upload]);
});

it('fails a job cancelled before it starts, without a work dir', async () => {
  cancels.cancelled.add(JOB_ID);
  await expect(processor().process(fakeJob(payload()))).rejects.toEqual(new PermanentJobError('cancelled'));
  expect(storage.createdWorkDirs).toEqual([]);
  expect(storage.removed).toEqual([upload]);
});

it('removes the work dirs of dead attempts before starting afresh', async () => {
  storage.staleWorkDirs = [path.join(storage.layout.tmpDir, `${JOB_ID}.1.abcdef`)];
  await processor().process(fakeJob(payload(), 1));
  expect(storage.removed[0]).toBe(storage.staleWorkDirs[0]);
});

it('lets a cancel that arrives during the encode win over the publish', async () => {
  ffmpeg.during = async () => {
    cancels.cancelled.add(JOB_ID);
  };
  await expect(processor().process(fakeJob(payload()))).rejects.toEqual(new PermanentJobError('cancelled'));
  expect(storage.published).toEqual([]);
  expect(storage.removed).toEqual([storage.createdWorkDirs[0], live, upload]);
  expect(await storage.exists(storage.layout.jobOutputDir(JOB_ID))).toBe(false);
});

it('fails a job whose signal was aborted by a cancel, whatever ffmpeg said', async () => {
  const controller = new AbortController();
  ffmpeg.during = async () => controller.abort(ABORT_REASONS.cancel);
  ffmpeg.failure = ffmpegFailure('ffmpeg was killed by SIGTERM', false);
  await expect(processor().process(fakeJob(payload()), controller.signal)).rejects.toEqual(
    new PermanentJobError('cancelled'),
  );
  expect(storage.removed).toContain(upload);
});

it('hands the job back on shutdown, keeping the source and using no attempt', async () => {
  const controller = new AbortController();
  ffmpeg.during = async () => controller.abort(ABORT_REASONS.shutdown);
  ffmpeg.failure = ffmpegFailure('ffmpeg was killed by SIGTERM', false);
  await expect(processor().process(fakeJob(payload(), 2, 3), controller.signal)).rejects.toBeInstanceOf(
    JobHandedBackError,
  );
  expect(storage.removed).toEqual([storage.createdWorkDirs[0], live]);
});

it('retries a timed-out attempt, keeping the source until the last one', async () => {
  const failure = ffmpegFailure('ffmpeg timed out', false, true);
  ffmpeg.failure = failure;
  await expect(processor().process(fakeJob(payload(), 0, 3))).rejects.toBe(failure);
  expect(storage.removed).not.toContain(upload);
});

it("fails undecodable media for good with ffmpeg's reason", async () => {
  ffmpeg.failure = ffmpegFailure('undecodable audio: moov atom not found', true);
  await expect(processor().process(fakeJob(payload()))).rejects.toEqual(
    new PermanentJobError('undecodable audio: moov atom not found'),
  );
  expect(storage.removed).toContain(upload);
});

it('rethrows a retryable failure as is, keeping the source for the next attempt', async () => {
  const failure = ffmpegFailure('ffmpeg was killed by SIGKILL', false);
  ffmpeg.failure = failure;
  await expect(processor().process(fakeJob(payload(), 0, 3))).rejects.toBe(failure);
  expect(storage.removed).toEqual([storage.createdWorkDirs[0], live]);
});

it('drops the source when a retryable failure hits the last attempt', async () => {
  const failure = ffmpegFailure('ffmpeg was killed by SIGKILL', false);
  ffmpeg.failure = failure;
  await expect(processor().process(fakeJob(payload(), 2, 3))).rejects.toBe(failure);
  expect(storage.removed).toEqual([storage.createdWorkDirs[0], live, upload]);
});

it('keeps the source of a finished job with KEEP_SOURCE', async () => {
  await processor({ keepSource: true }).process(fakeJob(payload()));
  expect(storage.removed).toEqual([live]);
});

it("passes the download plan through to the encode, with this worker's AAC encoder", async () => {
  const downloadPlan = { ...PLAN, sampleRate: 48_000 };
  const result = await processor({}, { mp3: 'libmp3lame', aac: 'aac_at' }).process(
    fakeJob(payload({ plan: { ...PLAN, codec: 'mp3', bitrate: 320_000 }, download: true, downloadPlan })),
  );
  expect(ffmpeg.encodes[0]?.job.download).toEqual({ plan: downloadPlan, encoder: 'aac_at', file: DOWNLOAD_FILE });
  expect(ffmpeg.encodes[0]?.job.renditions).toEqual([expect.objectContaining({ dir: null, encoder: 'libmp3lame' })]);
  expect(result.download).toBe(true);
  expect(await storage.exists(path.join(storage.layout.jobOutputDir(JOB_ID), DOWNLOAD_FILE))).toBe(true);
});

it("fails for good when this worker's ffmpeg cannot write the codec", async () => {
  await expect(
    processor({}, { aac: 'aac' }).process(fakeJob(payload({ plan: { ...PLAN, codec: 'mp3' } }))),
  ).rejects.toEqual(new PermanentJobError("this worker's ffmpeg cannot write mp3"));
  await expect(
    processor({}, { mp3: 'libmp3lame' }).process(
      fakeJob(payload({ plan: { ...PLAN, codec: 'mp3' }, download: true, downloadPlan: PLAN })),
    ),
  ).rejects.toEqual(new PermanentJobError("this worker's ffmpeg cannot write aac for the download"));
  expect(ffmpeg.encodes).toEqual([]);
});

it('fails for good when the upload is missing', async () => {
  await storage.remove(upload);
  await expect(processor().process(fakeJob(payload()))).rejects.toEqual(
    new PermanentJobError('the uploaded source file is missing from storage'),
  );
});

it('normalises in two passes: measure, then encode with the measured figures', async () => {
  const result = await processor().process(fakeJob(payload({ normalize: true })));
  expect(ffmpeg.measureRuns).toHaveLength(1);
  expect(ffmpeg.measureRuns[0]?.progressSpan).toEqual([0, 25]);
  expect(ffmpeg.encodes[0]?.job.normalize).toEqual({ target: LOUDNESS_TARGET, measured: MEASURED });
  expect(ffmpeg.encodes[0]?.run.progressSpan).toEqual([25, 99.9]);
  expect(result.loudness).toEqual({ integratedLufs: -20.12, loudnessRangeLu: 5.5, truePeakDbtp: -1 });
  expect(result.outputLoudness).toEqual({ integratedLufs: -14, loudnessRangeLu: 4.2, truePeakDbtp: -1.5 });
});

it('encodes a ladder into one folder per rung under a multivariant playlist', async () => {
  const low = { ...PLAN, profile: 'low', bitrate: 64_000 } as const;
  const result = await processor().process(
    fakeJob(
      payload({
        renditions: [
          { name: 'low', plan: low },
          { name: 'high', plan: PLAN },
        ],
      }),
    ),
  );
  expect(ffmpeg.encodes[0]?.job.renditions.map((rendition) => rendition.dir)).toEqual(['low', 'high']);
  expect(result.renditions?.map((rendition) => rendition.name)).toEqual(['low', 'high']);
  const root = await readFile(storage.layout.manifestPath(JOB_ID), 'utf8');
  expect(root).toContain('#EXT-X-STREAM-INF');
});
