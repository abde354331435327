import { z } from 'zod';
import { CodecSchema, count, isoTime, JobIdSchema, positiveInt, type Priority, type SameType } from './common';

/** Errors, health, the queue's stats and workers, and a job's waveform. */

export const ErrorBodySchema = z
  .strictObject({
    error: z.string().min(1),
    code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  })
  .describe('Every error: a sentence for people and a stable code for programs. Never a stack trace.');
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export const HealthSchema = z.strictObject({
  status: z.enum(['ok', 'unavailable']),
  redis: z
    .enum(['up', 'down'])
    .describe('`down`: unreachable, not answering, or refusing writes (`error` says which).'),
  storage: z
    .enum(['ok', 'full', 'unwritable'])
    .describe('The upload volume: `full` when under 16 MiB (or 1 %) is free.'),
  error: z.string().optional(),
  code: z.enum(['REDIS_UNAVAILABLE', 'STORAGE_FULL', 'STORAGE_UNAVAILABLE']).optional(),
});
export type Health = z.infer<typeof HealthSchema>;

export const WorkerInfoSchema = z.strictObject({
  id: z.string(),
  host: z.string(),
  concurrency: positiveInt(),
  current_jobs: z.array(JobIdSchema),
  codecs: z.array(CodecSchema).describe('Codecs its ffmpeg could write at start.'),
  ffmpeg_version: z.string(),
  started_at: isoTime(),
});
export type WorkerInfo = z.infer<typeof WorkerInfoSchema>;

export const StateCountsSchema = z.strictObject({ waiting: count(), active: count() });
export type StateCounts = z.infer<typeof StateCountsSchema>;

export const WindowCountsSchema = z.strictObject({ last_1m: count(), last_5m: count(), last_15m: count() });
export type WindowCounts = z.infer<typeof WindowCountsSchema>;

export const QueueCountsSchema = z
  .strictObject({
    waiting: count(),
    active: count(),
    delayed: count(),
    completed: count(),
    failed: count(),
    paused: count().optional(),
  })
  .describe('Jobs by queue state (`waiting` includes prioritized ones; finished ones until JOB_RETENTION_DAYS).');

/** The queue states the stats count, in the order pages show them. */
export const QUEUE_COUNT_STATES = QueueCountsSchema.keyof().options;

export const QueueStatsSchema = z.strictObject({
  counts: QueueCountsSchema,
  by_priority: z.strictObject({ urgent: StateCountsSchema, normal: StateCountsSchema, background: StateCountsSchema }),
  workers: z.array(WorkerInfoSchema).describe('Workers online now.'),
  throughput: z
    .strictObject({ ...WindowCountsSchema.shape, failed: WindowCountsSchema })
    .describe('Jobs finished in each trailing window; `failed`: of those, the ones that failed for good.'),
  oldest_waiting_age_seconds: z.number().min(0).nullable(),
  generated_at: isoTime(),
});
export type QueueStats = z.infer<typeof QueueStatsSchema>;

/** by_priority names every priority, no more and no less (a compile error otherwise). */
const _BY_PRIORITY_MATCHES_PRIORITIES: SameType<keyof QueueStats['by_priority'], Priority> = true;

/** audiowaveform's JSON format, version 2 (what waveform-data.js and peaks.js read). */
export const WaveformSchema = z
  .strictObject({
    version: z.literal(2),
    channels: positiveInt(),
    sample_rate: positiveInt(),
    samples_per_pixel: positiveInt(),
    bits: z.literal([8, 16]),
    length: count().describe('Number of min/max pairs per channel.'),
    data: z.array(z.int().min(-32768).max(32767)).describe('min, max, min, max… (channels interleaved).'),
  })
  .describe('Min/max peak pairs of the source, for drawing a waveform (audiowaveform JSON, version 2).');
export type Waveform = z.infer<typeof WaveformSchema>;
