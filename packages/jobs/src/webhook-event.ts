import { toJobStatus, type JobStatus } from './job-status';
import type { JobSnapshot } from './transcode-queue';

export const WEBHOOK_EVENT_TYPES = ['transcode.completed', 'transcode.failed', 'transcode.cancelled'] as const;
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

/**
 * The event a finished job fires, or null while it is not finished. The
 * type follows the status the job body shows: a cancelled job is
 * `transcode.cancelled` even though BullMQ failed it.
 */
export function webhookEventFor(job: JobSnapshot, now = Date.now()): WebhookEvent | null {
  const status = toJobStatus(job.state, job.failedReason, job.cancelledAt !== null);
  const type: WebhookEventType | null =
    status === 'Completed'
      ? 'transcode.completed'
      : status === 'Cancelled'
        ? 'transcode.cancelled'
        : status.startsWith('Failed(')
          ? 'transcode.failed'
          : null;
  if (type === null) return null;
  const finishedAt = type === 'transcode.cancelled' ? job.cancelledAt : job.finishedAt;
  return {
    id: webhookEventId(job.id, type),
    type,
    created_at: new Date(now).toISOString(),
    data: {
      job_id: job.id,
      track_id: job.data.trackId,
      status,
      error: type === 'transcode.failed' ? (job.failedReason ?? 'unknown error') : null,
      codec: job.data.plan.codec,
      quality_profile: job.data.plan.profile,
      priority: job.data.priority,
      duration_seconds: job.data.source.durationSeconds,
      attempts: job.attemptsMade,
      created_at: new Date(job.createdAt).toISOString(),
      completed_at: finishedAt === null ? null : new Date(finishedAt).toISOString(),
      manifest_url: type === 'transcode.completed' ? `/v1/stream/hls/${job.id}/index.m3u8` : null,
    },
  };
}
