import type { EncodingPlan, Priority, SourceAudio } from '@stream-server/profiles';

/** BullMQ queue names, one per job type. */
export const QUEUE_NAMES = {
  transcode: 'transcode',
} as const;
export type JobName = keyof typeof QUEUE_NAMES;

/**
 * The payload of a transcode job: everything a worker needs, decided by
 * the API before queueing (probe result, resolved plan), so a worker never
 * re-validates user input and every worker makes the same output.
 * `version` lets a newer worker refuse or migrate an older payload.
 */
export interface TranscodeJobData {
  readonly version: 1;
  readonly jobId: string;
  readonly trackId: string;
  /** Server-made name of the upload under STORAGE_DIR/uploads (never a path). */
  readonly uploadId: string;
  /** Demuxer ffprobe found; the worker forces it with `-f`. */
  readonly demuxer: string;
  readonly source: SourceAudio;
  readonly plan: EncodingPlan;
  readonly priority: Priority;
  /** ISO-8601, when the API accepted the upload. */
  readonly submittedAt: string;
}

export interface TranscodeJobResult {
  readonly segments: number;
  readonly outputDurationSeconds: number;
}

/** Typed job-name → payload/result map (PeerTube style). */
export interface JobPayloads {
  transcode: { data: TranscodeJobData; result: TranscodeJobResult };
}
