import type { Job, Loudness, SameType } from '@stream-server/contract';
import {
  liveManifestPath,
  toJobStatus,
  type JobSnapshot,
  type JobStatus,
  type LoudnessSummary,
} from '@stream-server/jobs';

/**
 * The job body, as the contract package declares it (the seed's fields
 * `id` … `error`, unchanged names and meaning, ISO-8601 times instead of
 * the seed's Rust debug strings, plus fields of our own). This module maps
 * queue snapshots onto it.
 */
export type JobView = Job;

/** The contract's status type is the one the queue code computes (a compile error otherwise). */
const _STATUS_TYPES_AGREE: SameType<JobView['status'], JobStatus> = true;

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
  if (view.manifest_url === null && view.live_manifest_url === null) return view;
  const signed = (url: string | null) => (url === null ? null : withToken(url, token));
  return {
    ...view,
    manifest_url: signed(view.manifest_url),
    live_manifest_url: signed(view.live_manifest_url),
    renditions: view.renditions.map((rendition) => ({ ...rendition, playlist_url: signed(rendition.playlist_url) })),
    waveform_url: signed(view.waveform_url),
    download_url: signed(view.download_url),
  };
}

/** The waveform and download routes of a job. */
function waveformUrl(jobId: string): string {
  return `/v1/stream/job/${jobId}/waveform.json`;
}

function downloadUrl(jobId: string): string {
  return `/v1/stream/job/${jobId}/download`;
}

function withToken(url: string, token: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
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
    // The probe reads headers, which can be wrong (an MP3 without a Xing
    // header); once encoded, the output's own length is the truth.
    duration_seconds:
      completed && job.result && job.result.outputDurationSeconds > 0
        ? job.result.outputDurationSeconds
        : job.data.source.durationSeconds,
    attempts: job.attemptsMade,
    manifest_url: completed ? manifestUrl(job.id) : null,
    ...mediaFields(job, completed),
    callback_url: job.data.callbackUrl ?? null,
    live_manifest_url: liveManifestPath(job),
    purged_at: job.purgedAt === null ? null : iso(job.purgedAt),
  };
}

type MediaFields = Pick<
  JobView,
  'renditions' | 'normalize' | 'loudness' | 'output_loudness' | 'source' | 'waveform_url' | 'download_url'
>;

/** The job body's media fields: ladder, loudness, source metadata, waveform and download links. */
function mediaFields(job: JobSnapshot, completed: boolean): MediaFields {
  const { data, result } = job;
  const ladder = data.renditions && data.renditions.length > 1 ? data.renditions : null;
  const rungs = ladder ?? [{ name: data.plan.profile, plan: data.plan }];
  const renditions = rungs.map(({ name, plan }) => {
    const measured = result?.renditions?.find((rendition) => rendition.name === name);
    const playlist = ladder ? `/v1/stream/hls/${job.id}/${name}/index.m3u8` : manifestUrl(job.id);
    return {
      name,
      codec: plan.codec,
      bitrate: plan.bitrate,
      bandwidth: measured?.bandwidth ?? null,
      average_bandwidth: measured?.averageBandwidth ?? null,
      playlist_url: completed ? playlist : null,
    };
  });
  // Lowest first, as in the multivariant playlist.
  renditions.sort((a, b) => (a.bandwidth ?? a.bitrate ?? 0) - (b.bandwidth ?? b.bitrate ?? 0));
  const source = data.source;
  return {
    renditions,
    normalize: data.normalize === true,
    loudness: loudnessView(result?.loudness),
    output_loudness: loudnessView(result?.outputLoudness),
    source: {
      codec: source.codec,
      sample_rate: source.sampleRate,
      channels: source.channels,
      bitrate: source.bitrate,
      duration_seconds: source.durationSeconds,
      tags: { ...(data.tags ?? {}) },
    },
    // Older results lack the flag; their outputs have no waveform file.
    waveform_url: completed && result?.waveform === true ? waveformUrl(job.id) : null,
    download_url: completed && data.download === true && result?.download === true ? downloadUrl(job.id) : null,
  };
}

function loudnessView(value: LoudnessSummary | null | undefined): Loudness | null {
  if (!value) return null;
  return {
    integrated_lufs: value.integratedLufs,
    loudness_range_lu: value.loudnessRangeLu,
    true_peak_dbtp: value.truePeakDbtp,
  };
}

function clampProgress(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.min(99.9, Math.max(0, value));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
