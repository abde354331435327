import type { TranscodeJobData, TranscodeJobResult } from './job-contract';
import type { QueueState } from './job-status';

/** A job as read from Redis, in domain terms (no BullMQ types leak out). */
export interface JobSnapshot {
  readonly id: string;
  readonly data: TranscodeJobData;
  readonly state: QueueState;
  readonly progress: number;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly failedReason: string | null;
  readonly attemptsMade: number;
  readonly result: TranscodeJobResult | null;
  /** Set when someone cancelled the job (it may still be stopping). */
  readonly cancelledAt: number | null;
}
