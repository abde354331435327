import type { TranscodeJobResult } from './job-contract';
import type { StoredTranscodeJobData } from './job-payload-schema';
import type { QueueState } from './job-status';

/** A job as read from Redis, in domain terms (no BullMQ types leak out). */
export interface JobSnapshot {
  readonly id: string;
  /** As stored: records queued by an older API lack `outputs`. */
  readonly data: StoredTranscodeJobData;
  readonly state: QueueState;
  readonly progress: number;
  /** The live playlist lists a whole segment of every rung (set while the job runs). */
  readonly playable: boolean;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly failedReason: string | null;
  readonly attemptsMade: number;
  readonly result: TranscodeJobResult | null;
  /** Set when someone cancelled the job (it may still be stopping). */
  readonly cancelledAt: number | null;
  /** Set when the job's outputs were taken down (DELETE …/output, or OUTPUT_RETENTION_DAYS). */
  readonly purgedAt: number | null;
}
