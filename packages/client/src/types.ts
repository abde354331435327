/**
 * The API's response bodies, declared here rather than imported so the
 * client can be published on its own. `tests/e2e/openapi.test.ts` checks
 * the job body's field names against the OpenAPI document.
 */

export type Codec = 'aac' | 'mp3' | 'opus' | 'flac';
export type QualityProfile = 'low' | 'medium' | 'high' | 'hi_res';
export type Priority = 'urgent' | 'normal' | 'background';
export type JobStatus = 'Pending' | 'Processing' | 'Completed' | 'Cancelled' | `Failed(${string})`;

export interface Loudness {
  integrated_lufs: number;
  loudness_range_lu: number;
  true_peak_dbtp: number;
}

export interface Rendition {
  name: QualityProfile;
  codec: Codec;
  bitrate: number | null;
  bandwidth: number | null;
  average_bandwidth: number | null;
  playlist_url: string | null;
}

export interface SourceInfo {
  codec: string;
  sample_rate: number;
  channels: number;
  bitrate: number | null;
  duration_seconds: number;
  tags: { title?: string; artist?: string; album?: string; track?: string };
}

/** `GET /v1/stream/job/{id}`. */
export interface Job {
  id: string;
  track_id: string;
  status: JobStatus;
  progress: number;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  error: string | null;
  codec: Codec;
  quality_profile: QualityProfile;
  priority: Priority;
  bitrate: number | null;
  sample_rate: number;
  channels: number;
  duration_seconds: number;
  attempts: number;
  /** Relative to the server; use `StreamClient.manifestUrl(job)` for an absolute one. */
  manifest_url: string | null;
  // Newer fields: an older server may leave them out.
  renditions?: Rendition[];
  normalize?: boolean;
  loudness?: Loudness | null;
  output_loudness?: Loudness | null;
  source?: SourceInfo;
  waveform_url?: string | null;
  download_url?: string | null;
  callback_url?: string | null;
}

/** `POST /v1/stream/transcode`. */
export interface SubmitResponse {
  job_id: string;
  status: 'queued';
  message: string;
}

export interface StateCounts {
  waiting: number;
  active: number;
}

export interface WindowCounts {
  last_1m: number;
  last_5m: number;
  last_15m: number;
}

export interface WorkerInfo {
  id: string;
  host: string;
  concurrency: number;
  current_jobs: string[];
  codecs: string[];
  ffmpeg_version: string;
  started_at: string;
}

/** `GET /v1/stream/queue/stats`. */
export interface QueueStats {
  counts: { waiting: number; active: number; delayed: number; completed: number; failed: number; paused?: number };
  by_priority: Record<Priority, StateCounts>;
  workers: WorkerInfo[];
  /** Jobs finished in the last 1, 5 and 15 minutes; `failed`: of those, the ones that failed for good. */
  throughput: WindowCounts & { failed: WindowCounts };
  oldest_waiting_age_seconds: number | null;
  generated_at: string;
}

/** `GET /v1/stream/jobs`. */
export interface JobList {
  jobs: Job[];
}

/** Every error the server answers. */
export interface ErrorBody {
  error: string;
  code: string;
}

export interface SubmitOptions {
  codec?: Codec;
  /** `quality_profile`; the server's default is `high`. */
  profile?: QualityProfile;
  /** Bits per second; wins over the profile. */
  bitrate?: number;
  priority?: Priority;
  trackId?: string;
  /** Several renditions and a master playlist (adaptive streaming). */
  renditions?: readonly QualityProfile[];
  abr?: boolean;
  normalize?: boolean;
  download?: boolean;
  /** Webhook target for the job's end (the server must have WEBHOOK_SECRET). */
  callbackUrl?: string;
  /** File name sent with a Blob or Buffer (a path's own name is used otherwise). */
  fileName?: string;
  signal?: AbortSignal;
}

export interface WaitOptions {
  /** Called with each progress value (0–100) and, when known, the job body. */
  onProgress?: (progress: number, job?: Job) => void;
  signal?: AbortSignal;
  /** Give up (StreamTimeoutError) after this long. Default: no limit. */
  timeoutMs?: number;
  /** Poll interval when the server has no events route. Default 2000. */
  pollIntervalMs?: number;
}

/** Completed, Cancelled or Failed(…): the job will not change again. */
export function isTerminalStatus(status: string): boolean {
  return status === 'Completed' || status === 'Cancelled' || status.startsWith('Failed(');
}
