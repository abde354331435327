import type { TranscodeJobData } from '@stream-server/jobs';
import {
  failureReason,
  realtimeFactor,
  type FleetMetrics,
  type FleetRegistry,
  type JobOutcome,
} from '@stream-server/fleet';
import { describeError, runWithLogContext, type Logger } from '@stream-server/logger';

/** The part of a finished BullMQ job the recorder reads (keeps the mapping testable). */
export interface FinishedJob {
  readonly id?: string | undefined;
  readonly data: TranscodeJobData;
  readonly attemptsMade: number;
  readonly opts: { readonly attempts?: number | undefined };
  readonly processedOn?: number | undefined;
  readonly finishedOn?: number | undefined;
}

/** What the recorder listens to: the transcode worker's events. */
export interface WorkerEvents {
  onActive(listener: (job: FinishedJob) => void): void;
  onCompleted(listener: (job: FinishedJob) => void): void;
  onFailed(listener: (job: FinishedJob | undefined, error: Error) => void): void;
  onStalled(listener: (jobId: string) => void): void;
}

/** A completed job as a fleet-metrics outcome (wall time of the attempt that succeeded). */
export function completedOutcome(job: FinishedJob, now = Date.now()): JobOutcome {
  const finishedAt = job.finishedOn ?? now;
  const wallSeconds = Math.max(0, finishedAt - (job.processedOn ?? finishedAt)) / 1000;
  return {
    kind: 'completed',
    jobId: job.id ?? job.data.jobId,
    codec: job.data.plan.codec,
    wallSeconds,
    mediaSeconds: job.data.source.durationSeconds,
    finishedAt,
  };
}

/**
 * A failed attempt as an outcome. It is final when BullMQ gave up: an
 * UnrecoverableError (cancel, timeout, bad media) or the last attempt;
 * `attemptsMade` already counts this attempt when the event fires.
 */
export function failedOutcome(job: FinishedJob, error: Error, now = Date.now()): JobOutcome {
  const final = error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
  return {
    kind: 'failed',
    jobId: job.id ?? job.data.jobId,
    codec: job.data.plan.codec,
    reason: failureReason(error.message),
    final,
    finishedAt: job.finishedOn ?? now,
  };
}

/**
 * The worker's side of ops: keeps the set of jobs this worker runs (in
 * memory, mirrored to the fleet registry for /queue/stats), records every
 * finished job into the fleet metrics in Redis, and logs one line per job
 * state change. Metrics and registry writes never fail a job: errors are
 * logged and dropped.
 */
export class JobMetricsRecorder {
  private readonly running = new Set<string>();

  constructor(
    private readonly workerId: string,
    private readonly fleet: FleetRegistry,
    private readonly metrics: FleetMetrics,
    private readonly logger: Logger,
  ) {}

  /** Ids of the jobs this worker is processing now (for the heartbeat). */
  currentJobs(): string[] {
    return [...this.running];
  }

  /**
   * Runs a job's processing with the job marked current, whatever way it
   * ends, and with its job_id on every log line written meanwhile (ffmpeg's
   * command and stderr tail included).
   */
  async track<T>(jobId: string, run: () => Promise<T>): Promise<T> {
    this.running.add(jobId);
    this.fleet
      .jobStarted(this.workerId, jobId)
      .catch((err: unknown) => this.logger.warn('fleet job start not recorded', describeError(err)));
    try {
      return await runWithLogContext({ job_id: jobId }, run);
    } finally {
      this.running.delete(jobId);
      this.fleet
        .jobEnded(this.workerId, jobId)
        .catch((err: unknown) => this.logger.warn('fleet job end not recorded', describeError(err)));
    }
  }

  attach(worker: WorkerEvents): void {
    worker.onActive((job) => {
      this.logger.info('job active', {
        job_id: job.id,
        attempt: job.attemptsMade + 1,
        codec: job.data.plan.codec,
        priority: job.data.priority,
      });
    });
    worker.onCompleted((job) => {
      const outcome = completedOutcome(job);
      if (outcome.kind === 'completed') {
        this.logger.info('job completed', {
          job_id: outcome.jobId,
          codec: outcome.codec,
          attempts: job.attemptsMade,
          duration_ms: Math.round(outcome.wallSeconds * 1000),
          media_seconds: outcome.mediaSeconds,
          realtime_factor: Math.round(realtimeFactor(outcome.mediaSeconds, outcome.wallSeconds) * 10) / 10,
        });
      }
      this.record(outcome);
    });
    worker.onFailed((job, error) => {
      // BullMQ passes no job when a stalled one was already removed.
      if (!job) return;
      const outcome = failedOutcome(job, error);
      if (outcome.kind === 'failed') {
        const meta = {
          job_id: outcome.jobId,
          codec: outcome.codec,
          attempt: job.attemptsMade,
          reason: error.message,
          reason_label: outcome.reason,
        };
        if (outcome.final) this.logger.warn('job failed', meta);
        else this.logger.warn('job attempt failed, will retry', meta);
      }
      this.record(outcome);
    });
    // This worker's stall check found a job whose worker died (lock expired): it goes back to the queue.
    worker.onStalled((jobId) =>
      this.logger.warn('job stalled: its worker stopped renewing the lock, back to the queue', { job_id: jobId }),
    );
  }

  private record(outcome: JobOutcome): void {
    this.metrics
      .record(outcome)
      .catch((err: unknown) => this.logger.warn('fleet metrics not recorded', describeError(err)));
  }
}
