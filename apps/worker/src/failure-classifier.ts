import { FfmpegError } from '@stream-server/ffmpeg';
import { JobHandedBackError, PermanentJobError } from '@stream-server/jobs';

/** Why a running job's signal was aborted (passed to `TranscodeWorker#cancel`). */
export const ABORT_REASONS = { cancel: 'cancel', shutdown: 'shutdown' } as const;

/** The failure reason of a cancelled job. */
export const CANCELLED = 'cancelled';

/** Where an attempt stands among its job's attempts. */
export interface AttemptCount {
  /** Attempts made before this one. */
  readonly attemptsMade: number;
  readonly maxAttempts: number;
}

/** What a failed attempt becomes. */
export interface FailureVerdict {
  /**
   * hand-back: back to the queue without using an attempt (shutdown);
   * permanent: failed for good now; retry: thrown as is, BullMQ retries it
   * unless this was the last attempt.
   */
  readonly outcome: 'hand-back' | 'permanent' | 'retry';
  /** What the handler throws. */
  readonly error: Error;
  /** The job is over for good: its upload goes (unless KEEP_SOURCE). */
  readonly dropSource: boolean;
}

/** The reason a signal was aborted with, or undefined while it runs. */
export function abortReasonOf(signal: AbortSignal | undefined): unknown {
  return signal?.aborted ? signal.reason : undefined;
}

/**
 * Decides what a failed attempt becomes: handed back to the queue
 * (shutdown), failed for good (cancel, bad media), or retried (a kill, a
 * stall, a timeout: another attempt may well get through);
 * the source is dropped when the job will not run again. Pure.
 */
export function classifyFailure(err: unknown, abortReason: unknown, attempt: AttemptCount): FailureVerdict {
  if (abortReason === ABORT_REASONS.shutdown) {
    // Not the job's fault: back to the queue without using an attempt.
    return { outcome: 'hand-back', error: new JobHandedBackError(), dropSource: false };
  }
  const final = permanentCause(err, abortReason);
  if (final) return { outcome: 'permanent', error: final, dropSource: true };
  const lastAttempt = attempt.attemptsMade + 1 >= attempt.maxAttempts;
  return { outcome: 'retry', error: err instanceof Error ? err : new Error(String(err)), dropSource: lastAttempt };
}

/** The permanent failure `err` amounts to, or null when trying again may help. */
function permanentCause(err: unknown, abortReason: unknown): PermanentJobError | null {
  if (abortReason === ABORT_REASONS.cancel || (err instanceof Error && err.message === CANCELLED)) {
    return new PermanentJobError(CANCELLED);
  }
  if (err instanceof PermanentJobError) return err;
  if (err instanceof FfmpegError && err.permanent) return new PermanentJobError(err.message);
  return null;
}
