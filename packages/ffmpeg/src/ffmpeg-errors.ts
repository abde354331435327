import type { RunResult } from './process-runner';

/**
 * ffmpeg ran and failed. `permanent` says whether trying again could help:
 * undecodable media fails the same way every time; a kill, a stall, a
 * timeout or an I/O error may not.
 */
export class FfmpegError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly result: RunResult,
  ) {
    super(message);
    this.name = 'FfmpegError';
  }
}

// stderr phrases that mean "this input cannot be decoded", from libavformat
// and libavcodec messages; the same file gives the same error on a retry.
const MEDIA_ERRORS = [
  /invalid data found when processing input/i,
  /error while decoding/i,
  /could not find codec parameters/i,
  /does not contain any stream/i,
  /no such (?:filter|decoder)/i,
  /invalid argument/i,
  /not allowed to be read|format not on whitelist|protocol not on whitelist/i,
  /header missing/i,
  /moov atom not found/i,
];

/** Turns a failed run into an error with a short reason and retry advice. */
export function describeFailure(result: RunResult): FfmpegError {
  const lastLine = result.stderrTail
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .pop();
  if (result.timedOut) return new FfmpegError('ffmpeg timed out', false, result);
  if (result.stalled) return new FfmpegError('ffmpeg stalled: its progress stopped advancing', false, result);
  if (result.signal) return new FfmpegError(`ffmpeg was killed by ${result.signal}`, false, result);
  const permanent = MEDIA_ERRORS.some((pattern) => pattern.test(result.stderrTail));
  const reason = lastLine ? lastLine.slice(0, 300) : `exit code ${result.exitCode}`;
  return new FfmpegError(permanent ? `undecodable audio: ${reason}` : `ffmpeg failed: ${reason}`, permanent, result);
}
