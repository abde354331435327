import type {
  Codec,
  JobCore,
  JobList as ServerJobList,
  Job as ServerJob,
  Priority,
  QualityProfile,
} from '@stream-server/contract';

/**
 * The API's response bodies come from `@stream-server/contract`, where each
 * is declared once (as a zod schema); this file adds only what the client
 * itself takes: request options.
 */
export type {
  Codec,
  ErrorBody,
  JobStatus,
  Loudness,
  Priority,
  QualityProfile,
  QueueStats,
  Rendition,
  SourceInfo,
  StateCounts,
  SubmitResponse,
  WindowCounts,
  WorkerInfo,
} from '@stream-server/contract';
/**
 * `GET /v1/stream/job/{id}`. The core fields every server version sends;
 * the later ones (renditions, loudness, source, waveform, download,
 * callback) an older server may leave out. `manifest_url` is relative to
 * the server: use `StreamClient.manifestUrl(job)` for an absolute one.
 */
export type Job = JobCore & Partial<Omit<ServerJob, keyof JobCore>>;

/** `GET /v1/stream/jobs`. */
export type JobList = Omit<ServerJobList, 'jobs'> & { jobs: Job[] };

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

export { isTerminalStatus } from '@stream-server/contract';
