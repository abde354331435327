/** What a failed attempt becomes (pure). */
import { FfmpegError } from '@stream-server/ffmpeg';
import { JobHandedBackError, PermanentJobError } from '@stream-server/jobs';
import { abortReasonOf, ABORT_REASONS, classifyFailure } from '../src/failure-classifier';

const first = { attemptsMade: 0, maxAttempts: 3 };
const last = { attemptsMade: 2, maxAttempts: 3 };

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

it('hands a job stopped by a shutdown back, keeping its source, even on its last attempt', () => {
  const verdict = classifyFailure(ffmpegFailure('ffmpeg was killed by SIGTERM', false), ABORT_REASONS.shutdown, last);
  expect(verdict.outcome).toBe('hand-back');
  expect(verdict.error).toBeInstanceOf(JobHandedBackError);
  expect(verdict.dropSource).toBe(false);
});

it.each<[string, unknown, unknown, string]>([
  ['a cancel through the signal', new Error('aborted'), ABORT_REASONS.cancel, 'cancelled'],
  ['a cancel seen before publishing', new PermanentJobError('cancelled'), undefined, 'cancelled'],
  [
    'a permanent error thrown by a step',
    new PermanentJobError('the uploaded source file is missing from storage'),
    undefined,
    'the uploaded source file is missing from storage',
  ],
  [
    'undecodable media',
    ffmpegFailure('undecodable audio: header missing', true),
    undefined,
    'undecodable audio: header missing',
  ],
])('fails %s for good and drops the source', (_label, err, reason, message) => {
  const verdict = classifyFailure(err, reason, first);
  expect(verdict.outcome).toBe('permanent');
  expect(verdict.error).toEqual(new PermanentJobError(message));
  expect(verdict.dropSource).toBe(true);
});

it.each([
  ['a kill', ffmpegFailure('ffmpeg was killed by SIGKILL', false)],
  ['a timeout', ffmpegFailure('ffmpeg timed out', false, true)],
  ['a stall', ffmpegFailure('ffmpeg stalled: its progress stopped advancing', false)],
])('retries anything else (%s) as is, keeping the source until the last attempt', (_label, err) => {
  expect(classifyFailure(err, undefined, first)).toEqual({ outcome: 'retry', error: err, dropSource: false });
  expect(classifyFailure(err, undefined, last)).toEqual({ outcome: 'retry', error: err, dropSource: true });
});

it('wraps a thrown non-Error', () => {
  expect(classifyFailure('disk full', undefined, first).error).toEqual(new Error('disk full'));
});

it('reads the abort reason only of an aborted signal', () => {
  const controller = new AbortController();
  expect(abortReasonOf(controller.signal)).toBeUndefined();
  expect(abortReasonOf(undefined)).toBeUndefined();
  controller.abort(ABORT_REASONS.cancel);
  expect(abortReasonOf(controller.signal)).toBe('cancel');
});
