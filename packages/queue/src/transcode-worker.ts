import { QueueEventsProducer, Worker, type Job } from 'bullmq';
import type { RedisClient } from './redis-connection';
import { QUEUE_NAMES, type TranscodeJobData, type TranscodeJobResult } from '@stream-server/jobs';
import { PLAYABLE_EVENT, progressValue, readProgress, type JobProgress } from './job-progress';
import { LadderFlows } from './ladder-flow';
import { workerLockSettings } from './queue-settings';
import { runWithSignals } from './worker-signals';

/** One attempt at a transcode job, as its handler sees it. */
export interface TranscodeAttempt {
  readonly data: TranscodeJobData;
  /** Attempts made before this one. */
  readonly attemptsMade: number;
  readonly maxAttempts: number;
  updateProgress(progress: number): Promise<unknown>;
  /** Marks the job playable (kept in its progress from now on) and tells the queue's event stream. */
  reportPlayable(): Promise<unknown>;
}

/** BullMQ's own default length of a queue's event stream, which publishing must not shorten. */
export const EVENTS_MAX_LEN = 10_000;

/** Throws PermanentJobError or JobHandedBackError to steer the queue; anything else is retried. */
export type TranscodeHandler = (
  attempt: TranscodeAttempt,
  signal: AbortSignal | undefined,
) => Promise<TranscodeJobResult>;

/** A job as the worker's events report it. */
export interface WorkerJob {
  readonly id?: string | undefined;
  readonly data: TranscodeJobData;
  readonly attemptsMade: number;
  readonly opts: { readonly attempts?: number | undefined };
  readonly processedOn?: number | undefined;
  readonly finishedOn?: number | undefined;
}

export interface TranscodeWorkerOptions {
  readonly prefix: string;
  readonly concurrency: number;
  /** JOB_LOCK_SECONDS: how soon a dead worker's job is taken over. */
  readonly lockSeconds: number;
}

/**
 * The consumer side of the transcode queue: runs `handler` for each job,
 * up to `concurrency` at once, and reports what happens to them.
 */
export class TranscodeWorker {
  private readonly worker: Worker<TranscodeJobData, TranscodeJobResult, 'transcode'>;
  private readonly events: QueueEventsProducer;
  private readonly ladders: LadderFlows;

  constructor(connection: RedisClient, handler: TranscodeHandler, options: TranscodeWorkerOptions) {
    this.ladders = new LadderFlows(connection, options.prefix);
    this.events = new QueueEventsProducer(QUEUE_NAMES.transcode, { connection, prefix: options.prefix });
    // It shares the worker's connection, whose errors the worker reports.
    this.events.on('error', () => undefined);
    this.worker = new Worker<TranscodeJobData, TranscodeJobResult, 'transcode'>(
      QUEUE_NAMES.transcode,
      (job, token, signal) => {
        // Each attempt starts unplayable: its live copy is made afresh.
        let progress: JobProgress = { ...readProgress(job.progress), playable: false };
        const write = () => job.updateProgress(progressValue(progress));
        return runWithSignals(job, token, () =>
          handler(
            {
              data: job.data,
              attemptsMade: job.attemptsMade,
              maxAttempts: job.opts.attempts ?? 1,
              updateProgress: (percent) => {
                progress = { ...progress, percent };
                return write();
              },
              reportPlayable: async () => {
                progress = { ...progress, playable: true };
                await write();
                await this.events.publishEvent(
                  { eventName: PLAYABLE_EVENT, jobId: job.id ?? job.data.jobId },
                  EVENTS_MAX_LEN,
                );
              },
            },
            signal,
          ),
        );
      },
      {
        connection,
        prefix: options.prefix,
        concurrency: options.concurrency,
        ...workerLockSettings(options.lockSeconds),
      },
    );
  }

  onActive(listener: (job: WorkerJob) => void): void {
    this.worker.on('active', (job) => listener(job));
  }

  onCompleted(listener: (job: WorkerJob) => void): void {
    this.worker.on('completed', (job) => listener(reported(job)));
  }

  /**
   * `job` is undefined when a stalled job was already removed. A ladder
   * failed by one of its parts is reported with the part's reason, as its
   * readers see it.
   */
  onFailed(listener: (job: WorkerJob | undefined, error: Error) => void): void {
    this.worker.on('failed', (job, error) => {
      if (!job) return listener(job, error);
      this.ladders
        .failureReason(error.message)
        .catch(() => error.message)
        .then((reason) => {
          if (reason === null || reason === error.message) return listener(reported(job), error);
          const resolved = new Error(reason);
          resolved.name = error.name;
          listener(reported(job), resolved);
        })
        .catch(() => undefined);
    });
  }

  /** A job whose worker stopped renewing its lock went back to the queue. */
  onStalled(listener: (jobId: string) => void): void {
    this.worker.on('stalled', (jobId) => listener(jobId));
  }

  onError(listener: (error: Error) => void): void {
    this.worker.on('error', (error) => listener(error));
  }

  /** Aborts the running job's signal with `reason`; false when this worker does not run it. */
  cancel(jobId: string, reason: string): boolean {
    return this.worker.cancelJob(jobId, reason);
  }

  cancelAll(reason: string): void {
    this.worker.cancelAllJobs(reason);
  }

  async waitUntilReady(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  /** Stops taking jobs; resolves once the running ones have ended. */
  async close(): Promise<void> {
    try {
      await this.worker.close();
    } finally {
      await Promise.all([this.events.close(), this.ladders.close()]);
    }
  }
}

/**
 * A job as its events report it. A ladder job ran from its first part's
 * start, not from its own last step's (BullMQ's processedOn), so its wall
 * time in the metrics is the whole job's.
 */
function reported(job: Job<TranscodeJobData, TranscodeJobResult, 'transcode'>): WorkerJob {
  return {
    id: job.id,
    data: job.data,
    attemptsMade: job.attemptsMade,
    opts: job.opts,
    processedOn: readProgress(job.progress).startedAt ?? job.processedOn,
    finishedOn: job.finishedOn,
  };
}
