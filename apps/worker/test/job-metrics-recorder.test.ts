/** How finished BullMQ jobs become fleet-metrics outcomes (pure). */
import type { TranscodeJobData } from '@stream-server/jobs';
import { completedOutcome, failedOutcome, type FinishedJob } from '../src/job-metrics-recorder';

const data: TranscodeJobData = {
  version: 1,
  jobId: '00000000-0000-4000-8000-000000000001',
  trackId: 't',
  uploadId: 'u',
  demuxer: 'wav',
  source: {
    codec: 'pcm_s16le',
    sampleRate: 44_100,
    channels: 2,
    bitsPerSample: 16,
    durationSeconds: 30,
    bitrate: null,
  },
  plan: {
    codec: 'opus',
    profile: 'high',
    bitrate: 160_000,
    sampleRate: 48_000,
    channels: 2,
    bitDepth: null,
    container: 'fmp4',
  },
  priority: 'normal',
  submittedAt: new Date(0).toISOString(),
  outputs: { segmentSeconds: 6, waveform: { samplesPerPixel: 512 }, loudnessTarget: null },
};

const job = (over: Partial<FinishedJob> = {}): FinishedJob => ({
  id: data.jobId,
  data,
  attemptsMade: 1,
  opts: { attempts: 3 },
  processedOn: 10_000,
  finishedOn: 12_000,
  ...over,
});

function unrecoverable(message: string): Error {
  const error = new Error(message);
  error.name = 'UnrecoverableError';
  return error;
}

it('takes the wall time of the attempt and the media duration of a completed job', () => {
  expect(completedOutcome(job())).toEqual({
    kind: 'completed',
    jobId: data.jobId,
    codec: 'opus',
    wallSeconds: 2,
    mediaSeconds: 30,
    finishedAt: 12_000,
  });
});

it('calls a failed attempt final on an UnrecoverableError or the last attempt, else a retry', () => {
  expect(failedOutcome(job(), new Error('ffmpeg was killed by SIGKILL'))).toMatchObject({
    kind: 'failed',
    reason: 'ffmpeg',
    final: false,
  });
  expect(failedOutcome(job({ attemptsMade: 3 }), new Error('ffmpeg was killed by SIGKILL'))).toMatchObject({
    final: true,
  });
  expect(failedOutcome(job(), unrecoverable('cancelled'))).toMatchObject({ reason: 'cancelled', final: true });
  expect(failedOutcome(job({ opts: {} }), new Error('boom'))).toMatchObject({ reason: 'error', final: true });
});

it('falls back to now when BullMQ left no finish time', () => {
  expect(failedOutcome(job({ finishedOn: undefined }), new Error('x'), 99)).toMatchObject({ finishedAt: 99 });
  expect(completedOutcome(job({ processedOn: undefined, finishedOn: undefined }), 5)).toMatchObject({
    wallSeconds: 0,
    finishedAt: 5,
  });
});
