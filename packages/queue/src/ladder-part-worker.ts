import { Job, Queue, QueueEventsProducer, Worker } from 'bullmq';
import type { RedisClient } from './redis-connection';
import {
  ladderPartJobId,
  QUEUE_NAMES,
  type LadderPartJobData,
  type LadderPartResult,
  type TranscodeJobData,
  type TranscodeJobResult,
} from '@stream-server/jobs';
import { PLAYABLE_EVENT, progressValue, readProgress } from './job-progress';
import type { BullPartQueue } from './ladder-flow';
import { workerLockSettings } from './queue-settings';
import { EVENTS_MAX_LEN, type TranscodeWorkerOptions } from './transcode-worker';
import { runWithSignals } from './worker-signals';

/** Most parts a ladder has (one per rung at most): a cancel tries each id. */
const MAX_PARTS = 4;

/** Parts make this share of a ladder's progress; its last step (check, publish) the rest. */
const PARTS_SHARE = 0.99;

/**
 * A part rolls the job's progress up at most this often (a part's own
 * progress comes every 250 ms). Each roll-up reads every part and
 * rewrites the job, whose progress event wakes every reader of the job
 * events; two parts so write the job's progress at most 4 times a second,
 * as a one-process job does. Playability and a part's end roll up at once.
 */
const ROLL_UP_INTERVAL_MS = 500;

/** One attempt at one part of a ladder job, as its handler sees it. */
export interface LadderPartAttempt {
  readonly data: LadderPartJobData;
  /** Attempts made before this one. */
  readonly attemptsMade: number;
  readonly maxAttempts: number;
  /** This part's progress; the job's is rolled up from its parts' (weighted by their estimated cost). */
  updateProgress(percent: number): Promise<unknown>;
  /** The job's live multivariant playlist was written: the job is playable. */
  reportPlayable(): Promise<unknown>;
  /** True when the job failed (another part failed for good) or left the queue (cancelled). */
  jobOver(): Promise<boolean>;
}

/** Throws PermanentJobError or JobHandedBackError to steer the queue; anything else is retried. */
export type LadderPartHandler = (
  attempt: LadderPartAttempt,
  signal: AbortSignal | undefined,
) => Promise<LadderPartResult>;

/** A part as the worker's events report it. */
export interface PartJob {
  readonly id?: string | undefined;
  readonly data: LadderPartJobData;
  readonly attemptsMade: number;
}

/**
 * The consumer side of the parts queue: runs `handler` for each part of a
 * ladder job, up to `concurrency` at once. Everything a part tells its job
 * goes through here: progress (the job's is rewritten from its parts'
 * own, so no part overwrites another's), playability (the job's progress
 * flag and the transcode queue's `playable` event, which the API reads),
 * and whether the job is still on.
 */
export class LadderPartWorker {
  private readonly worker: Worker<LadderPartJobData, LadderPartResult, 'ladder-part'>;
  private readonly events: QueueEventsProducer;
  private readonly jobs: Queue<TranscodeJobData, TranscodeJobResult, 'transcode'>;
  private readonly parts: BullPartQueue;

  constructor(connection: RedisClient, handler: LadderPartHandler, options: TranscodeWorkerOptions & { name: string }) {
    this.events = new QueueEventsProducer(QUEUE_NAMES.transcode, { connection, prefix: options.prefix });
    // It shares the worker's connection, whose errors the worker reports.
    this.events.on('error', () => undefined);
    this.jobs = new Queue(QUEUE_NAMES.transcode, { connection, prefix: options.prefix });
    this.parts = new Queue(QUEUE_NAMES.ladderPart, { connection, prefix: options.prefix });
    this.jobs.on('error', () => undefined);
    this.parts.on('error', () => undefined);
    this.worker = new Worker<LadderPartJobData, LadderPartResult, 'ladder-part'>(
      QUEUE_NAMES.ladderPart,
      (job, token, signal) => {
        let progress = { percent: readProgress(job.progress).percent, playable: false, startedAt: null };
        let writes: Promise<unknown> = Promise.resolve();
        let rolledUpAt = Number.NEGATIVE_INFINITY;
        // One write at a time per attempt, then the job's roll-up when due.
        const write = (now: boolean) => {
          writes = writes
            .then(() => job.updateProgress(progressValue(progress)))
            .then(() => {
              if (!now && Date.now() - rolledUpAt < ROLL_UP_INTERVAL_MS) return;
              rolledUpAt = Date.now();
              return this.rollUp(job.data);
            });
          return writes;
        };
        return runWithSignals(job, token, () =>
          handler(
            {
              data: job.data,
              attemptsMade: job.attemptsMade,
              maxAttempts: job.opts.attempts ?? 1,
              updateProgress: (percent) => {
                progress = { ...progress, percent };
                return write(percent >= 100);
              },
              reportPlayable: async () => {
                progress = { ...progress, playable: true };
                await write(true);
                await this.events.publishEvent(
                  { eventName: PLAYABLE_EVENT, jobId: job.data.job.jobId },
                  EVENTS_MAX_LEN,
                );
              },
              jobOver: () => this.jobOver(job.data.job.jobId),
            },
            signal,
          ),
        );
      },
      {
        connection,
        prefix: options.prefix,
        concurrency: options.concurrency,
        name: options.name,
        ...workerLockSettings(options.lockSeconds),
      },
    );
  }

  /**
   * Rewrites the job's progress from its parts': the cost-weighted mean of
   * their percentages, playable once any part wrote the live multivariant
   * playlist, started when the first part did. Each part writes only its
   * own progress, so parts never race on one value; the last roll-up sees
   * every part's latest.
   */
  private async rollUp(data: LadderPartJobData): Promise<void> {
    const plan = data.job.parts ?? [];
    const parts = await Promise.all(
      plan.map((_part, index) => this.parts.getJob(ladderPartJobId(data.job.jobId, index))),
    );
    let weighted = 0;
    let total = 0;
    let playable = false;
    let startedAt: number | null = null;
    parts.forEach((part, index) => {
      const cost = plan[index]?.cost ?? 1;
      total += cost;
      if (!part) return;
      const progress = readProgress(part.progress);
      weighted += cost * progress.percent;
      playable ||= progress.playable;
      if (part.processedOn) startedAt = Math.min(startedAt ?? part.processedOn, part.processedOn);
    });
    const job = await Job.fromId(this.jobs, data.job.jobId);
    if (!job) return;
    const percent = total > 0 ? Math.round((weighted / total) * PARTS_SHARE * 10) / 10 : 0;
    await job.updateProgress(progressValue({ percent, playable, startedAt }));
  }

  private async jobOver(jobId: string): Promise<boolean> {
    const job = await Job.fromId(this.jobs, jobId);
    if (!job || job.deferredFailure) return true;
    const state = await job.getState();
    return state === 'failed' || state === 'unknown';
  }

  /** A part whose worker stopped renewing its lock went back to the queue. */
  onStalled(listener: (partId: string) => void): void {
    this.worker.on('stalled', (partId) => listener(partId));
  }

  onFailed(listener: (part: PartJob | undefined, error: Error) => void): void {
    this.worker.on('failed', (part, error) => listener(part, error));
  }

  onActive(listener: (part: PartJob) => void): void {
    this.worker.on('active', (part) => listener(part));
  }

  onError(listener: (error: Error) => void): void {
    this.worker.on('error', (error) => listener(error));
  }

  /** Aborts every running part of `jobId` on this worker; false when it runs none. */
  cancel(jobId: string, reason: string): boolean {
    let found = false;
    for (let part = 0; part < MAX_PARTS; part += 1) {
      if (this.worker.cancelJob(ladderPartJobId(jobId, part), reason)) found = true;
    }
    return found;
  }

  cancelAll(reason: string): void {
    this.worker.cancelAllJobs(reason);
  }

  async waitUntilReady(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  /** Stops taking parts; resolves once the running ones have ended. */
  async close(): Promise<void> {
    try {
      await this.worker.close();
    } finally {
      await Promise.all([this.events.close(), this.jobs.close(), this.parts.close()]);
    }
  }
}
