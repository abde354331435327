import type { RedisClient } from './redis-connection';

/**
 * Takedowns across processes: a marker per job whose outputs were removed
 * on purpose (it holds when), read with the job so its body shows
 * `purged_at` and its playback URLs answer 410, and a pub/sub channel that
 * tells every API instance to drop the job's segments from its memory.
 * Markers expire with the job records' retention.
 */
export class OutputPurges {
  readonly channel: string;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly retentionSeconds: number,
  ) {
    this.channel = `${prefix}:purged`;
  }

  /** Records the purge (the first time wins); resolves with when it happened. */
  async mark(jobId: string, now = Date.now()): Promise<number> {
    const key = this.key(jobId);
    await this.redis.set(key, String(now), 'EX', this.retentionSeconds, 'NX');
    return parsePurgedAt(await this.redis.get(key)) ?? now;
  }

  async get(jobId: string): Promise<number | null> {
    return parsePurgedAt(await this.redis.get(this.key(jobId)));
  }

  /** Tells every API instance (their segment caches). */
  async announce(jobId: string): Promise<void> {
    await this.redis.publish(this.channel, jobId);
  }

  /** The marker's key (read with the job in one round trip by TranscodeQueue). */
  key(jobId: string): string {
    return `${this.prefix}:purged:${jobId}`;
  }
}

export function parsePurgedAt(text: string | null): number | null {
  if (text === null || text === '') return null;
  const at = Number(text);
  return Number.isSafeInteger(at) && at > 0 ? at : null;
}
