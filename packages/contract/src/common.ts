import { z } from 'zod';

/**
 * Building blocks shared by the bodies: the enums, the job id and status
 * forms, times, counts and the relative URLs the server hands out.
 */

export const CODECS = ['aac', 'mp3', 'opus', 'flac'] as const;
export const QUALITY_PROFILES = ['low', 'medium', 'high', 'hi_res'] as const;
export const PRIORITIES = ['urgent', 'normal', 'background'] as const;
/** The statuses with no argument; `Failed(<reason>)` is the fifth form. */
export const PLAIN_STATUSES = ['Pending', 'Processing', 'Completed', 'Cancelled'] as const;

export const CodecSchema = z.enum(CODECS);
export const QualityProfileSchema = z.enum(QUALITY_PROFILES);
export const PrioritySchema = z.enum(PRIORITIES);
export type Codec = z.infer<typeof CodecSchema>;
export type QualityProfile = z.infer<typeof QualityProfileSchema>;
export type Priority = z.infer<typeof PrioritySchema>;

/** What the API mints: a lowercase UUID. */
export const JOB_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const JobIdSchema = z.stringFormat('uuid', JOB_ID_PATTERN);

/** Every status in one pattern; `Failed(<reason>)` may carry any text, newlines included. */
export const STATUS_PATTERN = /^(?:Pending|Processing|Completed|Cancelled|Failed\([\s\S]*\))$/;

/**
 * `Pending` … `Cancelled`, or `Failed(<reason>)`. Declared as a union so the
 * inferred type is the template-literal union the server's code uses; its
 * JSON Schema accepts exactly what STATUS_PATTERN accepts.
 */
export const JobStatusSchema = z.union([z.enum(PLAIN_STATUSES), z.templateLiteral(['Failed(', z.string(), ')'])]).meta({
  description: '`Pending` → `Processing` → `Completed`, `Failed(<reason>)` or `Cancelled`.',
  examples: ['Pending', 'Processing', 'Completed', 'Cancelled', 'Failed(timeout)'],
});
export type JobStatus = z.infer<typeof JobStatusSchema>;

/** Completed, Cancelled or Failed(…): the job will not change again. */
export function isTerminalStatus(status: string): boolean {
  return status === 'Completed' || status === 'Cancelled' || status.startsWith('Failed(');
}

/** ISO-8601 in UTC, as `Date#toISOString` writes it. */
export const isoTime = () => z.iso.datetime();
/** A count of things: a non-negative integer. */
export const count = () => z.int().min(0);
/** A positive integer (rates, channels, bits per second). */
export const positiveInt = () => z.int().min(1);
export const percent = () => z.number().min(0).max(100);

/** A signed URL's `?token=` (present only when playback is signed). */
const TOKEN_SUFFIX = String.raw`(?:\?token=[^&#\s]+)?$`;
/** A relative URL of this server's, matching `pattern` (which starts at `^`), optionally signed. */
export const serverPath = (pattern: string) => z.string().regex(new RegExp(`${pattern}${TOKEN_SUFFIX}`));

export const PLAYLIST_PATH = String.raw`^/v1/stream/hls/[^?#\s]+\.m3u8`;
export const MANIFEST_PATH = String.raw`^/v1/stream/hls/[0-9a-f-]{36}/index\.m3u8`;
export const LIVE_MANIFEST_PATH = String.raw`^/v1/stream/hls/[0-9a-f-]{36}/live\.m3u8`;
export const WAVEFORM_PATH = String.raw`^/v1/stream/job/[0-9a-f-]{36}/waveform\.json`;
export const DOWNLOAD_PATH = String.raw`^/v1/stream/job/[0-9a-f-]{36}/download`;

/** `true` when A and B are the same type, else `false`: for compile-time checks that two declarations agree. */
export type SameType<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
