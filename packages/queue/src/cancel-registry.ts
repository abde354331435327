import type { RedisClient } from './redis-connection';
import { isJobData, jsonFields, type StoredTranscodeJobData } from '@stream-server/jobs';

/** What is kept of a cancelled job, so it still reads back after leaving the queue. */
export interface CancelRecord {
  readonly cancelledAt: number;
  readonly createdAt: number;
  readonly data: StoredTranscodeJobData;
}

/** How a cancel request ended (see CancelRegistry#mark). */
export type MarkOutcome = 'marked' | 'already-cancelled' | 'sealed';

/**
 * Marks a job cancelled unless its output was sealed for publishing: one
 * script, so a cancel and a publish can never both win.
 * KEYS: cancel marker, seal. ARGV: record, ttl seconds.
 */
const MARK = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 'sealed' end
if redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]), 'NX') then return 'marked' end
return 'already-cancelled'
`;

/**
 * Seals a job's output for publishing unless it was cancelled.
 * KEYS: cancel marker, seal. ARGV: ttl seconds. Returns 1 when sealed.
 */
const SEAL = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[2], '1', 'EX', tonumber(ARGV[1]))
return 1
`;

/**
 * Cancellation across processes: a marker key per cancelled job (read by
 * the API for the status, and by a worker before it starts a job) and a
 * pub/sub channel that tells the worker running a job to stop its ffmpeg
 * now. A worker about to publish seals the job first (see `seal`): from
 * then on a cancel is refused, so a 200 to a cancel always means nothing
 * of the job is or will be published, and a job that publishes was never
 * reported cancelled. Both keys expire with the job records' retention.
 */
export class CancelRegistry {
  readonly channel: string;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly retentionSeconds: number,
  ) {
    this.channel = `${prefix}:cancel`;
  }

  /**
   * Marks a job cancelled: 'marked' for the first call, 'already-cancelled'
   * after it, 'sealed' when a worker is publishing it (the cancel lost).
   */
  async mark(record: CancelRecord): Promise<MarkOutcome> {
    const jobId = record.data.jobId;
    const outcome: unknown = await this.redis.eval(
      MARK,
      2,
      this.key(jobId),
      this.sealKey(jobId),
      JSON.stringify(record),
      this.retentionSeconds,
    );
    if (outcome === 'marked' || outcome === 'already-cancelled' || outcome === 'sealed') return outcome;
    throw new Error(`unexpected answer from the cancel script: ${String(outcome)}`);
  }

  /**
   * Called by a worker right before it publishes a job's output: true when
   * the job is now sealed (no cancel can win any more), false when it was
   * cancelled (the worker must not publish).
   */
  async seal(jobId: string): Promise<boolean> {
    const sealed: unknown = await this.redis.eval(SEAL, 2, this.key(jobId), this.sealKey(jobId), this.retentionSeconds);
    return sealed === 1;
  }

  async unmark(jobId: string): Promise<void> {
    await this.redis.del(this.key(jobId));
  }

  async get(jobId: string): Promise<CancelRecord | null> {
    const text = await this.redis.get(this.key(jobId));
    return text === null ? null : parseRecord(text);
  }

  async isCancelled(jobId: string): Promise<boolean> {
    return (await this.redis.exists(this.key(jobId))) === 1;
  }

  /** Tells every worker; the one running `jobId` stops it. */
  async announce(jobId: string): Promise<void> {
    await this.redis.publish(this.channel, jobId);
  }

  /** The marker's key (read together with the job in one round trip by TranscodeQueue). */
  key(jobId: string): string {
    return `${this.prefix}:cancelled:${jobId}`;
  }

  private sealKey(jobId: string): string {
    return `${this.prefix}:sealed:${jobId}`;
  }
}

export function parseRecord(text: string): CancelRecord | null {
  const get = jsonFields(text);
  if (!get) return null;
  const cancelledAt = get('cancelledAt');
  const createdAt = get('createdAt');
  const data = get('data');
  if (typeof cancelledAt !== 'number' || typeof createdAt !== 'number' || !isJobData(data)) return null;
  return { cancelledAt, createdAt, data };
}
