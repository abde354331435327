import type { RedisClient } from './redis-connection';
import { PLAYABLE_EVENT } from './job-progress';

/**
 * An attempt of a job that ended, or a job that became playable, as the
 * queue's event stream tells it.
 */
export interface JobEnding {
  readonly jobId: string;
  /** 'failed' is also told of an attempt that will be retried. */
  readonly event: 'completed' | 'failed' | 'playable';
}

/** One entry of the event stream. */
export interface JobStreamEntry {
  /** The entry's stream id: the next read starts after it. */
  readonly id: string;
  /** The ending (or playable) it tells, or null for every other event (progress, active…). */
  readonly ending: JobEnding | null;
}

export interface JobStreamRead {
  /** Read entries after this stream id. */
  readonly after: string;
  /** Wait up to this long for an entry (null: answer at once). */
  readonly blockMs: number | null;
  /** At most this many entries (default 100). */
  readonly count?: number;
}

/**
 * Reads the transcode queue's event stream (see TranscodeQueue#eventStreamKey)
 * straight from Redis, from a cursor the caller keeps: unlike QueueEvents,
 * nothing is missed while no reader runs. Only this adapter knows the
 * entries' format.
 */
export class JobEndingStream {
  constructor(private readonly streamKey: string) {}

  /** The entries after `read.after`, oldest first ([] when none came in time). */
  async read(connection: RedisClient, read: JobStreamRead): Promise<JobStreamEntry[]> {
    const count = read.count ?? 100;
    const reply =
      read.blockMs === null
        ? await connection.xread('COUNT', count, 'STREAMS', this.streamKey, read.after)
        : await connection.xread('COUNT', count, 'BLOCK', read.blockMs, 'STREAMS', this.streamKey, read.after);
    if (!reply) return [];
    const entries: JobStreamEntry[] = [];
    for (const [, streamEntries] of reply) {
      for (const [id, fields] of streamEntries) entries.push({ id, ending: endingOf(fields) });
    }
    return entries;
  }
}

/** One entry's fields, a flat [name, value, …] list: an ending names its event and job. */
export function endingOf(fields: readonly string[]): JobEnding | null {
  const event = fieldOf(fields, 'event');
  const jobId = fieldOf(fields, 'jobId');
  if ((event !== 'completed' && event !== 'failed' && event !== PLAYABLE_EVENT) || jobId === undefined) return null;
  return { jobId, event };
}

function fieldOf(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
