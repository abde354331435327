import type { Cluster, Redis } from 'ioredis';
import { CODECS } from '@stream-server/profiles';

/**
 * Job numbers produced by workers, kept in Redis so that one scrape of any
 * API instance sees the whole fleet. A worker adds one finished job in one
 * MULTI: counters and histogram buckets are fields of one hash (HINCRBY),
 * so reading everything is one HGETALL whose size depends on codecs ×
 * buckets, never on the number of jobs. Finish times go into two sorted
 * sets trimmed to 15 minutes, for the sliding throughput windows.
 */

/** Upper bounds (seconds) of the job duration histogram; +Inf is implied. */
export const DURATION_BUCKETS_SECONDS: readonly number[] = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
/** Upper bounds of the realtime-factor histogram (media seconds ÷ wall seconds). */
export const REALTIME_FACTOR_BUCKETS: readonly number[] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
/** The longest throughput window kept. */
const THROUGHPUT_WINDOW_MS = 15 * 60_000;

/** Failure reasons as metric labels: a closed set, so messages cannot blow up cardinality. */
export const FAILURE_REASONS = [
  'cancelled',
  'timeout',
  'undecodable',
  'ffmpeg',
  'stalled',
  'codec_unavailable',
  'source_missing',
  'error',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** Maps a job's failure message (ours, ffmpeg's, BullMQ's) to its label. */
export function failureReason(message: string): FailureReason {
  if (message === 'cancelled') return 'cancelled';
  if (message === 'timeout' || message === 'ffmpeg timed out') return 'timeout';
  if (message.startsWith('undecodable audio')) return 'undecodable';
  if (message.startsWith('ffmpeg ')) return 'ffmpeg';
  if (message.includes('stalled')) return 'stalled';
  if (message.includes('cannot write')) return 'codec_unavailable';
  if (message.includes('source file is missing')) return 'source_missing';
  return 'error';
}

/** Codec label: one of ours, else `other` (a payload from a newer API, say). */
export function codecLabel(codec: string): string {
  return (CODECS as readonly string[]).includes(codec) ? codec : 'other';
}

export type JobOutcome =
  | {
      readonly kind: 'completed';
      readonly jobId: string;
      readonly codec: string;
      /** Wall time of the attempt that succeeded. */
      readonly wallSeconds: number;
      /** Seconds of audio it encoded. */
      readonly mediaSeconds: number;
      readonly finishedAt: number;
    }
  | {
      readonly kind: 'failed';
      readonly jobId: string;
      readonly codec: string;
      readonly reason: FailureReason;
      /** False when the attempt will be retried. */
      readonly final: boolean;
      readonly finishedAt: number;
    };

/** Index of the bucket a value falls in; `buckets.length` is +Inf. */
export function bucketIndex(buckets: readonly number[], value: number): number {
  const index = buckets.findIndex((le) => value <= le);
  return index === -1 ? buckets.length : index;
}

/** Media seconds per wall second; 0 when either is unknown. */
export function realtimeFactor(mediaSeconds: number, wallSeconds: number): number {
  if (!(mediaSeconds > 0) || !(wallSeconds > 0)) return 0;
  return mediaSeconds / wallSeconds;
}

/** Hash increments for one outcome: [field, integer or float increment]. */
export function outcomeFields(outcome: JobOutcome): Array<readonly [string, number]> {
  const codec = codecLabel(outcome.codec);
  if (outcome.kind === 'failed') {
    return [[`${outcome.final ? 'failed' : 'retried'}|${codec}|${outcome.reason}`, 1]];
  }
  const rtf = realtimeFactor(outcome.mediaSeconds, outcome.wallSeconds);
  return [
    [`completed|${codec}`, 1],
    [`duration|${codec}|${bucketIndex(DURATION_BUCKETS_SECONDS, outcome.wallSeconds)}`, 1],
    [`duration_sum|${codec}`, outcome.wallSeconds],
    [`rtf|${codec}|${bucketIndex(REALTIME_FACTOR_BUCKETS, rtf)}`, 1],
    [`rtf_sum|${codec}`, rtf],
  ];
}

export interface LabelledCount {
  readonly codec: string;
  readonly reason?: FailureReason;
  readonly value: number;
}

export interface HistogramData {
  readonly codec: string;
  /** Per-bucket counts (not cumulative), one per bound plus +Inf last. */
  readonly buckets: readonly number[];
  readonly sum: number;
  readonly count: number;
}

export interface FleetSnapshot {
  readonly completed: readonly LabelledCount[];
  readonly failed: readonly LabelledCount[];
  readonly retried: readonly LabelledCount[];
  readonly duration: readonly HistogramData[];
  readonly realtimeFactor: readonly HistogramData[];
}

/** Parses the hash back; unknown or malformed fields are ignored. */
export function parseFleetHash(hash: Readonly<Record<string, string>>): FleetSnapshot {
  const counts: Record<'completed' | 'failed' | 'retried', LabelledCount[]> = {
    completed: [],
    failed: [],
    retried: [],
  };
  const histograms = {
    duration: new Map<string, { buckets: number[]; sum: number }>(),
    rtf: new Map<string, { buckets: number[]; sum: number }>(),
  };
  const bounds = { duration: DURATION_BUCKETS_SECONDS, rtf: REALTIME_FACTOR_BUCKETS };
  const histogramOf = (kind: 'duration' | 'rtf', codec: string) => {
    let entry = histograms[kind].get(codec);
    if (!entry) {
      entry = { buckets: new Array<number>(bounds[kind].length + 1).fill(0), sum: 0 };
      histograms[kind].set(codec, entry);
    }
    return entry;
  };
  for (const [field, text] of Object.entries(hash)) {
    const value = Number(text);
    if (!Number.isFinite(value)) continue;
    const [kind, codec, extra] = field.split('|');
    if (codec === undefined) continue;
    if (kind === 'completed') counts.completed.push({ codec, value });
    else if ((kind === 'failed' || kind === 'retried') && isFailureReason(extra))
      counts[kind].push({ codec, reason: extra, value });
    else if ((kind === 'duration' || kind === 'rtf') && extra !== undefined) {
      const index = Number(extra);
      const entry = histogramOf(kind, codec);
      if (Number.isInteger(index) && index >= 0 && index < entry.buckets.length) entry.buckets[index] = value;
    } else if (kind === 'duration_sum') histogramOf('duration', codec).sum = value;
    else if (kind === 'rtf_sum') histogramOf('rtf', codec).sum = value;
  }
  const toList = (map: Map<string, { buckets: number[]; sum: number }>): HistogramData[] =>
    [...map.entries()]
      .map(([codec, entry]) => ({
        codec,
        buckets: entry.buckets,
        sum: entry.sum,
        count: entry.buckets.reduce((a, b) => a + b, 0),
      }))
      .sort((a, b) => a.codec.localeCompare(b.codec));
  const byLabels = (a: LabelledCount, b: LabelledCount) =>
    a.codec.localeCompare(b.codec) || (a.reason ?? '').localeCompare(b.reason ?? '');
  return {
    completed: counts.completed.sort(byLabels),
    failed: counts.failed.sort(byLabels),
    retried: counts.retried.sort(byLabels),
    duration: toList(histograms.duration),
    realtimeFactor: toList(histograms.rtf),
  };
}

function isFailureReason(value: string | undefined): value is FailureReason {
  return (FAILURE_REASONS as readonly (string | undefined)[]).includes(value);
}

export interface WindowCounts {
  readonly last_1m: number;
  readonly last_5m: number;
  readonly last_15m: number;
}

export interface Throughput extends WindowCounts {
  /** Of those, the jobs that failed for good. */
  readonly failed: WindowCounts;
}

const WINDOWS_MS = [60_000, 5 * 60_000, THROUGHPUT_WINDOW_MS] as const;

/** The Redis side: one MULTI per finished job, a handful of reads per scrape. */
export class FleetMetrics {
  private readonly hashKey: string;
  private readonly finishedKey: string;
  private readonly failedKey: string;

  constructor(
    private readonly redis: Redis | Cluster,
    prefix: string,
  ) {
    this.hashKey = `${prefix}:metrics:fleet`;
    this.finishedKey = `${prefix}:metrics:finished`;
    this.failedKey = `${prefix}:metrics:failed`;
  }

  async record(outcome: JobOutcome): Promise<void> {
    const multi = this.redis.multi();
    for (const [field, increment] of outcomeFields(outcome)) {
      if (Number.isInteger(increment)) multi.hincrby(this.hashKey, field, increment);
      else multi.hincrbyfloat(this.hashKey, field, increment);
    }
    // A retried attempt has not finished the job: only final outcomes count.
    if (outcome.kind === 'completed' || outcome.final) {
      const keys = outcome.kind === 'completed' ? [this.finishedKey] : [this.finishedKey, this.failedKey];
      for (const key of keys) {
        multi
          .zadd(key, outcome.finishedAt, outcome.jobId)
          .zremrangebyscore(key, '-inf', outcome.finishedAt - THROUGHPUT_WINDOW_MS)
          .pexpire(key, THROUGHPUT_WINDOW_MS);
      }
    }
    await multi.exec();
  }

  async snapshot(): Promise<FleetSnapshot> {
    return parseFleetHash(await this.redis.hgetall(this.hashKey));
  }

  /** Jobs finished within the last 1, 5 and 15 minutes (sliding, not per calendar minute). */
  async throughput(now = Date.now()): Promise<Throughput> {
    const pipeline = this.redis.pipeline();
    for (const key of [this.finishedKey, this.failedKey]) {
      for (const window of WINDOWS_MS) pipeline.zcount(key, now - window, '+inf');
    }
    const results = (await pipeline.exec()) ?? [];
    const values = results.map(([err, value]) => {
      if (err) throw err;
      return typeof value === 'number' ? value : 0;
    });
    const windows = (offset: number): WindowCounts => ({
      last_1m: values[offset] ?? 0,
      last_5m: values[offset + 1] ?? 0,
      last_15m: values[offset + 2] ?? 0,
    });
    return { ...windows(0), failed: windows(3) };
  }

  async clear(): Promise<void> {
    await this.redis.del(this.hashKey, this.finishedKey, this.failedKey);
  }
}
