import {
  isQueueState,
  type JobSnapshot,
  type StoredTranscodeJobData,
  type TranscodeJobResult,
} from '@stream-server/jobs';
import type { CancelRecord } from './cancel-registry';

/** What a snapshot is made of, whichever way the job was read (script, BullMQ job, cancel record). */
export interface JobFields {
  readonly id: string;
  readonly data: StoredTranscodeJobData;
  readonly progress: number;
  readonly playable: boolean;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly failedReason: string | null;
  readonly attemptsMade: number;
  readonly result: TranscodeJobResult | null;
  /** A ladder job's first part start (its rolled-up progress), null for other jobs. */
  readonly partsStartedAt: number | null;
}

/**
 * BullMQ states in which a ladder job whose first part has started is
 * running, as far as its readers go: its parts run (waiting-children) or
 * its last step waits for a worker (waiting, prioritized).
 */
const LADDER_RUNNING_STATES: readonly string[] = ['waiting-children', 'waiting', 'prioritized'];

/**
 * The one place a JobSnapshot is built. A job that left the queue when it
 * was cancelled has no record any more: its cancel record stands in.
 * Returns null when neither exists.
 */
export function buildSnapshot(
  fields: JobFields | null,
  state: string,
  cancel: CancelRecord | null,
  purgedAt: number | null = null,
): JobSnapshot | null {
  if (fields === null) {
    if (cancel === null) return null;
    return {
      id: cancel.data.jobId,
      data: cancel.data,
      state: 'unknown',
      progress: 0,
      playable: false,
      createdAt: cancel.createdAt,
      startedAt: null,
      finishedAt: cancel.cancelledAt,
      failedReason: null,
      attemptsMade: 0,
      result: null,
      cancelledAt: cancel.cancelledAt,
      purgedAt: null,
    };
  }
  const { partsStartedAt, ...rest } = fields;
  const running = partsStartedAt !== null && LADDER_RUNNING_STATES.includes(state);
  return {
    ...rest,
    // One job to its readers: a ladder reads Processing from its first part on, never a state of its own.
    state: running ? 'active' : isQueueState(state) ? state : 'unknown',
    startedAt: partsStartedAt ?? fields.startedAt,
    cancelledAt: cancel?.cancelledAt ?? null,
    purgedAt,
  };
}
