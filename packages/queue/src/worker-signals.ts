import { UnrecoverableError, WaitingError } from 'bullmq';
import { JobHandedBackError, PermanentJobError } from '@stream-server/jobs';

/** A failure of a handed-back job that BullMQ reads as "moved back to wait, no attempt used". */
interface HandBack {
  moveToWait(token?: string): Promise<unknown>;
}

/**
 * Runs a job handler and turns our signals into BullMQ's: a permanent
 * failure becomes UnrecoverableError (no retry), a hand-back moves the
 * job back to wait and throws WaitingError (no attempt used). Anything
 * else is thrown as is, and BullMQ retries it with backoff.
 */
export async function runWithSignals<T>(job: HandBack, token: string | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof JobHandedBackError) {
      await job.moveToWait(token);
      throw new WaitingError();
    }
    if (err instanceof PermanentJobError) throw new UnrecoverableError(err.message);
    throw err;
  }
}

/** True when a failed attempt was the job's last: it failed for good. */
export function isFinalFailure(error: Error, attemptsMade: number, maxAttempts: number | undefined): boolean {
  return error.name === 'UnrecoverableError' || attemptsMade >= (maxAttempts ?? 1);
}
