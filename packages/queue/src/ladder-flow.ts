import { FlowProducer, Queue, type JobsOptions } from 'bullmq';
import type { RedisClient } from './redis-connection';
import {
  JOB_POLICIES,
  ladderPartJobId,
  QUEUE_NAMES,
  type LadderPartJobData,
  type LadderPartResult,
  type TranscodeJobData,
} from '@stream-server/jobs';

export type BullPartQueue = Queue<LadderPartJobData, LadderPartResult, 'ladder-part'>;

/** BullMQ's reason of a parent failed by a child (failParentOnFailure): `child <child key> failed`. */
const CHILD_FAILED = /^child (.+) failed$/;

/**
 * Ladder jobs as BullMQ flows: the job is the parent (its id is the job
 * id the API returned, in the transcode queue), each of its parts a child
 * in the parts queue. BullMQ runs the parent only once every child has
 * completed, and fails it when a child fails for good; which worker runs
 * which part is BullMQ's business, like any job's.
 */
export class LadderFlows {
  private readonly flows: FlowProducer;
  readonly parts: BullPartQueue;

  constructor(connection: RedisClient, prefix: string) {
    this.flows = new FlowProducer({ connection, prefix });
    this.parts = new Queue(QUEUE_NAMES.ladderPart, { connection, prefix });
    this.flows.on('error', () => undefined);
    this.parts.on('error', () => undefined);
  }

  /**
   * Adds the job and its parts in one transaction. `jobOptions` are the
   * job's own (id, priority, attempts, retention); each part runs at the
   * job's priority, with the part policy's backoff and the same attempts.
   */
  async add(data: TranscodeJobData, jobOptions: JobsOptions): Promise<void> {
    const parts = data.parts ?? [];
    await this.flows.add({
      name: 'transcode',
      queueName: QUEUE_NAMES.transcode,
      data,
      opts: jobOptions,
      children: parts.map((_part, index) => {
        const partData: LadderPartJobData = { version: 1, part: index, job: data };
        return {
          name: 'ladder-part',
          queueName: QUEUE_NAMES.ladderPart,
          data: partData,
          opts: {
            jobId: ladderPartJobId(data.jobId, index),
            ...(jobOptions.priority === undefined ? {} : { priority: jobOptions.priority }),
            ...(jobOptions.attempts === undefined ? {} : { attempts: jobOptions.attempts }),
            backoff: { type: 'exponential', delay: JOB_POLICIES.ladderPart.backoffMs },
            failParentOnFailure: true,
            ...(jobOptions.removeOnComplete === undefined ? {} : { removeOnComplete: jobOptions.removeOnComplete }),
            ...(jobOptions.removeOnFail === undefined ? {} : { removeOnFail: jobOptions.removeOnFail }),
          },
        };
      }),
    });
  }

  /**
   * A job's failure reason as its readers should see it: when a part
   * failed the job, BullMQ's "child … failed" is replaced by the part's
   * own reason (read from the part, a public Job field). Anything else is
   * returned as is.
   */
  async failureReason(reason: string | null): Promise<string | null> {
    const childKey = reason === null ? undefined : CHILD_FAILED.exec(reason)?.[1];
    const keyPrefix = this.parts.toKey('');
    if (!childKey?.startsWith(keyPrefix)) return reason;
    const part = await this.parts.getJob(childKey.slice(keyPrefix.length));
    return part?.failedReason ? part.failedReason : reason;
  }

  async obliterate(): Promise<void> {
    await this.parts.obliterate({ force: true });
  }

  async close(): Promise<void> {
    await Promise.all([this.flows.close(), this.parts.close()]);
  }
}
