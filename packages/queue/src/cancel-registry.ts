import type { Redis } from 'ioredis';
import { isJobData, jsonFields, type StoredTranscodeJobData } from '@stream-server/jobs';

/** What is kept of a cancelled job, so it still reads back after leaving the queue. */
export interface CancelRecord {
  readonly cancelledAt: number;
  readonly createdAt: number;
  readonly data: StoredTranscodeJobData;
}

/**
 * Cancellation across processes: a marker key per cancelled job (read by
 * the API for the status, and by a worker before it starts or publishes a
 * job) and a pub/sub channel that tells the worker running a job to stop
 * its ffmpeg now. Markers expire with the job records' retention.
 */
export class CancelRegistry {
  readonly channel: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly retentionSeconds: number,
  ) {
    this.channel = `${prefix}:cancel`;
  }

  /** Marks a job cancelled; false when it already was (first call wins). */
  async mark(record: CancelRecord): Promise<boolean> {
    const set = await this.redis.set(
      this.key(record.data.jobId),
      JSON.stringify(record),
      'EX',
      this.retentionSeconds,
      'NX',
    );
    return set === 'OK';
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
