import { toJobStatus, type JobSnapshot, type JobStatus } from '@stream-server/jobs';

/**
 * The seed's job body (`id` … `error`, unchanged names and meaning, ISO-8601
 * times instead of the seed's Rust debug strings) plus fields of our own.
 */
export interface JobView {
  id: string;
  track_id: string;
  status: JobStatus;
  progress: number;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  error: string | null;
  // Additions (the seed's clients ignore them):
  codec: string;
  quality_profile: string;
  priority: string;
  bitrate: number | null;
  sample_rate: number;
  channels: number;
  duration_seconds: number;
  attempts: number;
  manifest_url: string | null;
}

/** The playlist route of a job; with a playback token when HLS is signed. */
export function manifestUrl(jobId: string, token?: string): string {
  const url = `/v1/stream/hls/${jobId}/index.m3u8`;
  return token === undefined ? url : `${url}?token=${encodeURIComponent(token)}`;
}

/**
 * The view with a signed `manifest_url` (tokens expire, so they are
 * minted per read by the route, not stored). Jobs with no playlist yet
 * keep `null`.
 */
export function withManifestToken(view: JobView, token: string): JobView {
  return view.manifest_url === null ? view : { ...view, manifest_url: manifestUrl(view.id, token) };
}

/** Pure mapping from a queue snapshot to the public body. */
export function toJobView(job: JobSnapshot): JobView {
  const status = toJobStatus(job.state, job.failedReason, job.cancelledAt !== null);
  const completed = status === 'Completed';
  const ended = completed || status.startsWith('Failed(');
  const finishedAt = status === 'Cancelled' ? job.cancelledAt : ended ? job.finishedAt : null;
  return {
    id: job.id,
    track_id: job.data.trackId,
    status,
    progress: completed ? 100 : clampProgress(job.progress),
    created_at: iso(job.createdAt),
    started_at: job.startedAt === null ? null : iso(job.startedAt),
    completed_at: finishedAt === null ? null : iso(finishedAt),
    error: status.startsWith('Failed(') ? (job.failedReason ?? 'unknown error') : null,
    codec: job.data.plan.codec,
    quality_profile: job.data.plan.profile,
    priority: job.data.priority,
    bitrate: job.data.plan.bitrate,
    sample_rate: job.data.plan.sampleRate,
    channels: job.data.plan.channels,
    duration_seconds: job.data.source.durationSeconds,
    attempts: job.attemptsMade,
    manifest_url: completed ? manifestUrl(job.id) : null,
  };
}

function clampProgress(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.min(99.9, Math.max(0, value));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
