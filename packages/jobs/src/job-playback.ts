import type { JobSnapshot } from './job-snapshot';
import { toJobStatus } from './job-status';

/**
 * Where a job's live playlist is served from, if anywhere: the running
 * job's live copy once the worker reported it playable, the published
 * output once it completed (older outputs have none), and nowhere for a
 * job that is pending, cancelled or failed. The one place that decides it,
 * for the job body, the routes and the webhooks. Pure.
 */
export function livePlaylistSource(job: JobSnapshot): 'live' | 'output' | null {
  const status = toJobStatus(job.state, job.failedReason, job.cancelledAt !== null);
  if (status === 'Processing') return job.playable ? 'live' : null;
  if (status === 'Completed') return job.result?.live === true ? 'output' : null;
  return null;
}

/** The live playlist's route, or null when it is not served (see livePlaylistSource). */
export function liveManifestPath(job: JobSnapshot): string | null {
  return livePlaylistSource(job) === null ? null : `/v1/stream/hls/${job.id}/live.m3u8`;
}
