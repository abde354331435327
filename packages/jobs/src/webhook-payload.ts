import type { JobStatus } from './job-status';

export const WEBHOOK_EVENT_TYPES = [
  'transcode.completed',
  'transcode.failed',
  'transcode.cancelled',
  'transcode.playable',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The job as a webhook tells it: the job body's main fields. */
export interface WebhookJobData {
  readonly job_id: string;
  readonly track_id: string;
  readonly status: JobStatus;
  readonly error: string | null;
  readonly codec: string;
  readonly quality_profile: string;
  readonly priority: string;
  readonly duration_seconds: number;
  readonly attempts: number;
  readonly created_at: string;
  readonly completed_at: string | null;
  /** Unsigned path; with signed playback, GET the job for a URL with a fresh token. */
  readonly manifest_url: string | null;
  /** The live playlist, once the job is playable (unsigned, as manifest_url). */
  readonly live_manifest_url: string | null;
}

/** The JSON body POSTed to a callback URL. */
export interface WebhookEvent {
  /** `<job id>:<type>`: the same on every retry and duplicate, so receivers can de-duplicate. */
  readonly id: string;
  readonly type: WebhookEventType;
  readonly created_at: string;
  readonly data: WebhookJobData;
}

/** Payload of a job on the `webhook` queue. */
export interface WebhookDeliveryData {
  readonly version: 1;
  readonly url: string;
  readonly event: WebhookEvent;
}

export interface WebhookDeliveryResult {
  readonly status: number;
  readonly attempts: number;
}

export function webhookEventId(jobId: string, type: WebhookEventType): string {
  return `${jobId}:${type}`;
}
