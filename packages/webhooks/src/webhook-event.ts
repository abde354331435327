import {
  toJobStatus,
  webhookEventId,
  liveManifestPath,
  type JobSnapshot,
  type JobStatus,
  type WebhookEvent,
  type WebhookEventType,
} from '@stream-server/jobs';

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
  return eventOf(job, type, status, now);
}

/**
 * The event of a job whose live playlist became playable, or null when it
 * is not (any more): a job cancelled or failed since then tells that instead.
 */
export function playableWebhookEventFor(job: JobSnapshot, now = Date.now()): WebhookEvent | null {
  const status = toJobStatus(job.state, job.failedReason, job.cancelledAt !== null);
  const playable = status === 'Processing' ? job.playable : status === 'Completed' && job.result?.live === true;
  return playable ? eventOf(job, 'transcode.playable', status, now) : null;
}

function eventOf(job: JobSnapshot, type: WebhookEventType, status: JobStatus, now: number): WebhookEvent {
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
      manifest_url: status === 'Completed' ? `/v1/stream/hls/${job.id}/index.m3u8` : null,
      live_manifest_url: liveManifestPath(job),
    },
  };
}
