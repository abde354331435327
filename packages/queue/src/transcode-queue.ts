import { Queue, type Job, type JobsOptions, type JobType } from 'bullmq';
import type { RedisClient } from './redis-connection';
import {
  JOB_POLICIES,
  ladderPartsOf,
  QUEUE_NAMES,
  type JobSnapshot,
  type TranscodeJobData,
  type TranscodeJobResult,
} from '@stream-server/jobs';
import { CancelRegistry, parseRecord, type CancelRecord } from './cancel-registry';
import { readProgress } from './job-progress';
import { OutputPurges, parsePurgedAt } from './output-purges';
import { fieldsFromHash, parseReadReply, READ_JOB, runScript, STATE_KEYS } from './job-read';
import { buildSnapshot, type JobFields } from './job-snapshot-builder';
import { LadderFlows } from './ladder-flow';
import { guard, notReplicated } from './queue-errors';
import { PRIORITY_VALUES } from './queue-settings';

export type CancelOutcome =
  | { readonly kind: 'not-found' }
  | { readonly kind: 'finished'; readonly snapshot: JobSnapshot }
  | {
      readonly kind: 'cancelled';
      /** False when it was cancelled before (the call is harmless). */
      readonly first: boolean;
      /** True when the job left the queue before any worker took it. */
      readonly removedFromQueue: boolean;
      readonly snapshot: JobSnapshot;
    };

export interface TranscodeQueueOptions {
  readonly prefix: string;
  readonly attempts: number;
  readonly retentionDays: number;
  /** Replicas that must hold a new job before `add` resolves (Redis WAIT); 0 or absent: none. */
  readonly waitReplicas?: number;
}

/** How long a finished job's snapshot is reused (see `get`), and how many are kept. */
const FINISHED_CACHE_MS = 2_000;
const FINISHED_CACHE_ENTRIES = 10_000;
/** How long `add` waits for replicas before it takes the job back. */
const REPLICA_WAIT_MS = 1_000;
/** How long a cancel that lost to a publish waits to report the job `Completed`. */
const SEALED_WAIT_MS = 2_000;

export type TranscodeJob = Job<TranscodeJobData, TranscodeJobResult, 'transcode'>;
export type BullTranscodeQueue = Queue<TranscodeJobData, TranscodeJobResult, 'transcode'>;

/**
 * The producer side of the transcode queue, used by the API: add a job,
 * read one back. Every Redis failure becomes an UnavailableError so the
 * API answers 503 instead of crashing or hanging.
 */
export class TranscodeQueue {
  private readonly queue: BullTranscodeQueue;
  private readonly ladders: LadderFlows;
  readonly cancels: CancelRegistry;
  readonly purges: OutputPurges;
  private readonly finished = new Map<string, { readonly snapshot: JobSnapshot; readonly at: number }>();

  constructor(
    private readonly connection: RedisClient,
    private readonly options: TranscodeQueueOptions,
  ) {
    this.queue = new Queue(QUEUE_NAMES.transcode, { connection, prefix: options.prefix });
    this.ladders = new LadderFlows(connection, options.prefix);
    this.cancels = new CancelRegistry(connection, options.prefix, options.retentionDays * 86_400);
    this.purges = new OutputPurges(connection, options.prefix, options.retentionDays * 86_400);
    // Without a listener an 'error' event would crash the process; the
    // connection's own retry logic handles reconnection.
    this.queue.on('error', () => undefined);
  }

  /** Queues a job; a ladder with parts becomes a flow of the job and its parts (LadderFlows). */
  async add(data: TranscodeJobData): Promise<void> {
    const policy = JOB_POLICIES.transcode;
    const keepSeconds = this.options.retentionDays * 86_400;
    const options: JobsOptions = {
      jobId: data.jobId,
      priority: PRIORITY_VALUES[data.priority],
      attempts: this.options.attempts,
      backoff: { type: 'exponential', delay: policy.backoffMs },
      removeOnComplete: { age: keepSeconds },
      removeOnFail: { age: keepSeconds },
    };
    if (ladderPartsOf(data) > 0) await guard(() => this.ladders.add(data, options));
    else await guard(() => this.queue.add('transcode', data, options));
    await this.awaitReplicas(data.jobId);
  }

  /**
   * With `waitReplicas`: WAIT (on the connection that wrote the job, as
   * WAIT requires) until that many replicas hold it. When they don't in
   * time, a failover could lose it, so the job is taken back and the
   * caller gets a 503 to retry; never a 200 for a job that may vanish.
   */
  private async awaitReplicas(jobId: string): Promise<void> {
    const wanted = this.options.waitReplicas ?? 0;
    if (wanted <= 0) return;
    const acked = await guard(async () => Number(await this.connection.call('WAIT', wanted, REPLICA_WAIT_MS)));
    if (acked >= wanted) return;
    await this.cancel(jobId).catch(() => undefined);
    throw notReplicated(wanted);
  }

  /**
   * One job, its state and its cancel marker in ONE Redis round trip (a
   * read-only script), instead of getJob + getState + GET: status reads are
   * the API's most frequent call.
   */
  async get(jobId: string): Promise<JobSnapshot | null> {
    const cached = this.finished.get(jobId);
    if (cached && Date.now() - cached.at < FINISHED_CACHE_MS) return cached.snapshot;
    return guard(async () => {
      const keys = [
        this.queue.toKey(jobId),
        this.cancels.key(jobId),
        ...STATE_KEYS.map((name) => this.queue.toKey(name)),
        this.purges.key(jobId),
      ];
      const reply = await runScript(this.connection, READ_JOB, keys, [jobId]);
      const read = parseReadReply(reply);
      const cancelled = read.cancel === null ? null : parseRecord(read.cancel);
      const fields = read.hash === null ? null : fieldsFromHash(jobId, read.hash);
      const snapshot = buildSnapshot(
        fields && read.state === 'failed'
          ? { ...fields, failedReason: await this.ladders.failureReason(fields.failedReason) }
          : fields,
        read.state,
        cancelled,
        parsePurgedAt(read.purged),
      );
      if (snapshot && (snapshot.state === 'completed' || snapshot.state === 'failed' || read.hash === null)) {
        this.rememberFinished(snapshot);
      }
      return snapshot;
    });
  }

  /**
   * A finished job's record no longer changes (until retention removes it),
   * so its snapshot is reused for FINISHED_CACHE_MS: a player or a client
   * polling a finished job costs no Redis call per read. Running jobs are
   * always read fresh.
   */
  private rememberFinished(snapshot: JobSnapshot): void {
    if (this.finished.size >= FINISHED_CACHE_ENTRIES) {
      const oldest = this.finished.keys().next();
      if (!oldest.done) this.finished.delete(oldest.value);
    }
    this.finished.set(snapshot.id, { snapshot, at: Date.now() });
  }

  /**
   * Cancels a job: a pending one leaves the queue; a running one is marked
   * and its worker told to stop (it fails with reason "cancelled"). A
   * finished job cannot be cancelled. Calling it again changes nothing.
   */
  async cancel(jobId: string, now = Date.now()): Promise<CancelOutcome> {
    this.finished.delete(jobId);
    return guard(async () => {
      const job = await this.queue.getJob(jobId);
      if (!job) {
        const record = await this.cancels.get(jobId);
        if (!record) return { kind: 'not-found' };
        return {
          kind: 'cancelled',
          first: false,
          removedFromQueue: true,
          snapshot: snapshotOf(null, 'unknown', record),
        };
      }
      const state = await job.getState();
      const existing = await this.cancels.get(jobId);
      if (existing) {
        return { kind: 'cancelled', first: false, removedFromQueue: false, snapshot: snapshotOf(job, state, existing) };
      }
      if (state === 'completed' || state === 'failed')
        return { kind: 'finished', snapshot: snapshotOf(job, state, null) };

      const record: CancelRecord = { cancelledAt: now, createdAt: job.timestamp, data: job.data };
      const marked = await this.cancels.mark(record);
      // Its worker sealed it for publishing: the job completes, the cancel lost.
      if (marked === 'sealed') return { kind: 'finished', snapshot: await this.settledSnapshot(jobId, job, state) };
      const first = marked === 'marked';
      let removedFromQueue = false;
      if (state !== 'active') {
        // Fails when a worker took the job in the meantime (it is locked).
        removedFromQueue = await job.remove().then(
          () => true,
          () => false,
        );
      }
      if (!removedFromQueue) {
        await this.cancels.announce(jobId);
        // It may have finished between our read and the mark: then it stays finished.
        const after = await job.getState();
        if (after === 'completed') {
          await this.cancels.unmark(jobId);
          const fresh = await this.queue.getJob(jobId);
          return { kind: 'finished', snapshot: snapshotOf(fresh ?? job, after, null) };
        }
      }
      return { kind: 'cancelled', first, removedFromQueue, snapshot: snapshotOf(job, state, record) };
    });
  }

  /**
   * A sealed job's snapshot once its worker has reported the publish (a
   * few ms after sealing), so the answer reads `Completed`; as it is now
   * if that takes longer (its worker died after sealing: the job is
   * retried and publishes, since a sealed job cannot be cancelled).
   */
  private async settledSnapshot(jobId: string, job: TranscodeJob, state: string): Promise<JobSnapshot> {
    const deadline = Date.now() + SEALED_WAIT_MS;
    for (;;) {
      const fresh = (await this.queue.getJob(jobId)) ?? job;
      const now = await fresh.getState();
      if (now === 'completed' || now === 'failed' || Date.now() >= deadline)
        return snapshotOf(fresh, now ?? state, null);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /**
   * Upload ids named by jobs that may still read their upload: every job
   * not finished, and finished ones too when `withFinished` (KEEP_SOURCE
   * keeps sources of completed jobs). For the orphan sweep: a file in
   * uploads/ named by none of these belongs to no job.
   */
  async uploadsInUse(withFinished: boolean): Promise<Set<string>> {
    const states: JobType[] = ['waiting', 'prioritized', 'delayed', 'active', 'waiting-children'];
    if (withFinished) states.push('completed', 'failed');
    const jobs = await guard(() => this.queue.getJobs(states, 0, -1));
    const ids = new Set<string>();
    for (const job of jobs) {
      // getJobs may hand back undefined for a job removed while it read.
      const uploadId: unknown = job?.data ? Reflect.get(job.data, 'uploadId') : undefined;
      if (typeof uploadId === 'string') ids.add(uploadId);
    }
    return ids;
  }

  /**
   * Records that a job's outputs were taken down (its body gains
   * `purged_at`) and tells every API instance; forgets the cached snapshot.
   */
  async markPurged(jobId: string, now = Date.now()): Promise<number> {
    this.finished.delete(jobId);
    return guard(async () => {
      const at = await this.purges.mark(jobId, now);
      await this.purges.announce(jobId);
      return at;
    });
  }

  /** The key of the queue's event stream (read by the API's job events and the worker's webhook relay). */
  eventStreamKey(): string {
    return this.queue.toKey('events');
  }

  /** The id of the newest event in the queue's stream ('0-0' when empty), read on `redis`. */
  async lastEventId(redis: RedisClient): Promise<string> {
    const last = await redis.xrevrange(this.eventStreamKey(), '+', '-', 'COUNT', 1);
    return last[0]?.[0] ?? '0-0';
  }

  /** Stops every worker from taking new jobs (running ones go on). */
  async pause(): Promise<void> {
    await guard(() => this.queue.pause());
  }

  async resume(): Promise<void> {
    await guard(() => this.queue.resume());
  }

  async ping(): Promise<void> {
    await guard(() => this.connection.ping());
  }

  /**
   * Whether Redis takes writes: a PING answers even when Redis refuses
   * writes (out of memory, a read-only replica), so this writes a small
   * expiring key. Throws the 503 that says what is wrong.
   */
  async checkWritable(): Promise<void> {
    await guard(() => this.connection.set(`${this.options.prefix}:health`, String(Date.now()), 'PX', 10_000));
  }

  /** Deletes every key of this queue (tests and `reset` tooling only). */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
    await this.ladders.obliterate();
  }

  async close(): Promise<void> {
    await Promise.all([this.queue.close(), this.ladders.close()]);
  }
}

/** A snapshot of a job BullMQ handed us (or of a cancelled job's record alone). */
function snapshotOf(job: TranscodeJob | null, state: string, cancel: CancelRecord | null): JobSnapshot {
  const snapshot = buildSnapshot(job === null ? null : fieldsOfJob(job), state, cancel);
  if (snapshot === null) throw new Error('a snapshot needs a job or a cancel record');
  return snapshot;
}

export function fieldsOfJob(job: TranscodeJob): JobFields {
  return {
    id: job.id ?? job.data.jobId,
    data: job.data,
    progress: readProgress(job.progress).percent,
    playable: readProgress(job.progress).playable,
    createdAt: job.timestamp,
    startedAt: job.processedOn ?? null,
    finishedAt: job.finishedOn ?? null,
    failedReason: job.failedReason ? job.failedReason : null,
    attemptsMade: job.attemptsMade,
    result: job.returnvalue ?? null,
    partsStartedAt: readProgress(job.progress).startedAt,
  };
}
