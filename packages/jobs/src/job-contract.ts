import type { EncodingPlan, Priority, QualityProfile, RenditionPlan, SourceAudio, TrackTags } from '@stream-server/profiles';
import type { WebhookDeliveryData, WebhookDeliveryResult } from './webhook-payload';

/** BullMQ queue names, one per job type. */
export const QUEUE_NAMES = {
  transcode: 'transcode',
  /** Signed webhook deliveries (callback_url), retried for up to WEBHOOK_RETRY_HOURS. */
  webhook: 'webhook',
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
  /**
   * An ABR ladder (two or more rungs, lowest first): each rung is written to
   * `<name>/index.m3u8` and the root playlist is multivariant. `plan` is then
   * the top rung, so readers that know only `plan` still see the job right.
   * Absent: one rendition at the root, as before.
   */
  readonly renditions?: readonly RenditionPlan[];
  /** Two-pass loudness normalisation (absent: false). */
  readonly normalize?: boolean;
  /** Also write download.m4a (absent: false). */
  readonly download?: boolean;
  /** The encoding of download.m4a, resolved by the API; present exactly when `download` is true. */
  readonly downloadPlan?: EncodingPlan;
  /** Descriptive tags of the source (title, artist, album, track). */
  readonly tags?: TrackTags;
  /** Where to POST the signed transcode.* webhook events (checked at submit; absent: none). */
  readonly callbackUrl?: string;
}

export interface TranscodeJobResult {
  readonly segments: number;
  readonly outputDurationSeconds: number;
  // Optional: results of older workers lack them.
  /** Per rendition, lowest bandwidth first, with figures measured from its segments. */
  readonly renditions?: readonly RenditionResult[];
  /** EBU R128 loudness of the source (null: silent or not measured). */
  readonly loudness?: LoudnessSummary | null;
  /** Loudness of the normalised output (null unless normalize was asked). */
  readonly outputLoudness?: LoudnessSummary | null;
  /** waveform.json was written. */
  readonly waveform?: boolean;
  /** download.m4a was written. */
  readonly download?: boolean;
}

export interface RenditionResult {
  readonly name: QualityProfile;
  /** Peak segment bitrate (bps), as in the playlist's BANDWIDTH. */
  readonly bandwidth: number;
  readonly averageBandwidth: number;
  /** RFC 6381 CODECS string, e.g. "mp4a.40.2". */
  readonly codecs: string;
  readonly segments: number;
}

export interface LoudnessSummary {
  readonly integratedLufs: number;
  readonly loudnessRangeLu: number;
  readonly truePeakDbtp: number;
}

/** Typed job-name → payload/result map (PeerTube style). */
export interface JobPayloads {
  transcode: { data: TranscodeJobData; result: TranscodeJobResult };
  webhook: { data: WebhookDeliveryData; result: WebhookDeliveryResult };
}

/** Our own payload read back from Redis: checked, not cast. */
export function isJobData(value: unknown): value is TranscodeJobData {
  if (typeof value !== 'object' || value === null) return false;
  const get = (key: string): unknown => Reflect.get(value, key);
  return (
    get('version') === 1 &&
    typeof get('jobId') === 'string' &&
    typeof get('trackId') === 'string' &&
    typeof get('uploadId') === 'string' &&
    typeof get('plan') === 'object' &&
    typeof get('source') === 'object'
  );
}
