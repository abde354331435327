import { Queue } from 'bullmq';
import type { RedisClient } from './redis-connection';
import { QUEUE_NAMES, type JobSnapshot } from '@stream-server/jobs';
import { PRIORITIES, type Priority } from '@stream-server/profiles';
import type { CancelRecord, CancelRegistry } from './cancel-registry';
import { buildSnapshot } from './job-snapshot-builder';
import { LadderFlows } from './ladder-flow';
import { queueUnavailable } from './queue-errors';
import { PRIORITY_VALUES } from './queue-settings';
import { fieldsOfJob, type BullTranscodeQueue } from './transcode-queue';

/** Job counts by state; `waiting` includes BullMQ's prioritized set (every job of ours has a priority). */
export interface StateCounts {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly completed: number;
  readonly failed: number;
}

export type PriorityCounts = Readonly<Record<Priority, { readonly waiting: number; readonly active: number }>>;

export interface QueueDepth {
  readonly counts: StateCounts;
  readonly byPriority: PriorityCounts;
  /** Creation time (ms) of the oldest job waiting to run, or null when none waits. */
  readonly oldestWaitingAt: number | null;
}

/** States the ops listing filters on (the contract's names). */
export const LISTABLE_STATES = ['waiting', 'active', 'completed', 'failed', 'delayed'] as const;
export type ListableState = (typeof LISTABLE_STATES)[number];

// BullMQ stores a prioritized job with score priority × 2^32 + a counter,
// so one priority is one score range, in FIFO order.
const PRIORITY_SPAN = 0x1_0000_0000;

/**
 * Read-only views over the transcode queue for dashboards and metrics,
 * costing a few Redis commands whatever the queue's length: counts come
 * from BullMQ's count scripts, per-priority counts from ZCOUNT over score
 * ranges, the oldest waiting job from the head of each priority range.
 * Only active jobs (bounded by the fleet's concurrency) are read one by one.
 */
export class QueueInspector {
  private readonly queue: BullTranscodeQueue;
  private readonly ladders: LadderFlows;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly cancels: CancelRegistry,
  ) {
    this.queue = new Queue(QUEUE_NAMES.transcode, { connection: redis, prefix });
    this.queue.on('error', () => undefined);
    this.ladders = new LadderFlows(redis, prefix);
  }

  async depth(): Promise<QueueDepth> {
    return guard(async () => {
      const bull = this.queue;
      const values = PRIORITIES.map((priority) => PRIORITY_VALUES[priority]);
      const [raw, perPriority, active, oldestWaitingAt] = await Promise.all([
        bull.getJobCounts('waiting', 'prioritized', 'active', 'waiting-children', 'delayed', 'completed', 'failed'),
        bull.getCountsPerPriority(values),
        // A ladder whose parts are queued or running is one active job (its parts are in their own queue).
        bull.getJobs(['active', 'waiting-children'], 0, -1),
        this.oldestWaiting(),
      ]);
      const count = (state: string): number => raw[state] ?? 0;
      const level = (priority: Priority) => ({
        waiting: perPriority[String(PRIORITY_VALUES[priority])] ?? 0,
        active: active.filter((job) => job.data.priority === priority).length,
      });
      const byPriority: PriorityCounts = {
        urgent: level('urgent'),
        normal: level('normal'),
        background: level('background'),
      };
      return {
        counts: {
          waiting: count('waiting') + count('prioritized'),
          active: count('active') + count('waiting-children'),
          delayed: count('delayed'),
          completed: count('completed'),
          failed: count('failed'),
        },
        byPriority,
        oldestWaitingAt,
      };
    });
  }

  /**
   * The newest jobs, newest first by creation: each state's newest `limit`
   * (BullMQ keeps every state in creation or finish order), merged.
   */
  async recent(limit: number, state?: ListableState): Promise<JobSnapshot[]> {
    return guard(async () => {
      const states: readonly ListableState[] = state ? [state] : LISTABLE_STATES;
      const lists = await Promise.all(
        states.map(async (listed) => {
          const types =
            listed === 'waiting'
              ? (['waiting', 'prioritized'] as const)
              : listed === 'active'
                ? (['active', 'waiting-children'] as const)
                : ([listed] as const);
          const jobs = await this.queue.getJobs([...types], 0, limit - 1, false);
          return jobs.filter((job) => job !== undefined && job !== null).map((job) => ({ job, state: listed }));
        }),
      );
      const newest = lists
        .flat()
        .sort((a, b) => b.job.timestamp - a.job.timestamp)
        .slice(0, limit);
      const cancels = await Promise.all(newest.map(({ job }) => this.cancels.get(job.id ?? job.data.jobId)));
      const reasons = await Promise.all(newest.map(({ job }) => this.ladders.failureReason(job.failedReason || null)));
      return newest.flatMap(({ job, state: listed }, index) => {
        const cancel: CancelRecord | null = cancels[index] ?? null;
        const fields = { ...fieldsOfJob(job), failedReason: reasons[index] ?? null };
        const snapshot = buildSnapshot(fields, listed, cancel);
        return snapshot === null ? [] : [snapshot];
      });
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.queue.close(), this.ladders.close()]);
  }

  private async oldestWaiting(): Promise<number | null> {
    const keys = this.queue.keys;
    const prioritized = keys['prioritized'];
    const wait = keys['wait'];
    if (prioritized === undefined || wait === undefined) return null;
    const pipeline = this.redis.pipeline();
    for (const priority of PRIORITIES) {
      const value = PRIORITY_VALUES[priority];
      pipeline.zrangebyscore(prioritized, value * PRIORITY_SPAN, (value + 1) * PRIORITY_SPAN - 1, 'LIMIT', 0, 1);
    }
    // Jobs are pushed on the left, taken from the right: the oldest is last.
    pipeline.lrange(wait, -1, -1);
    const heads = ((await pipeline.exec()) ?? []).flatMap(([err, value]) => {
      if (err) throw err;
      return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
    });
    if (heads.length === 0) return null;
    const times = await Promise.all(heads.map((id) => this.redis.hget(this.queue.toKey(id), 'timestamp')));
    const valid = times.map(Number).filter((ms) => Number.isFinite(ms) && ms > 0);
    return valid.length === 0 ? null : Math.min(...valid);
  }
}

async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch {
    throw queueUnavailable();
  }
}
