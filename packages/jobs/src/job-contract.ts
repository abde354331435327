import type { QualityProfile } from '@stream-server/profiles';
import type { TranscodeJobData } from './job-payload-schema';
import type { LadderPartJobData, LadderPartResult } from './ladder-part-payload';
import type { WebhookDeliveryData, WebhookDeliveryResult } from './webhook-payload';

export type { TranscodeJobData } from './job-payload-schema';

/** BullMQ queue names, one per job type. */
export const QUEUE_NAMES = {
  transcode: 'transcode',
  /** Signed webhook deliveries (callback_url), retried for up to WEBHOOK_RETRY_HOURS. */
  webhook: 'webhook',
  /**
   * The parts of ladder jobs (children of each ladder's flow): a queue of
   * their own, so job lists, stats and metrics of `transcode` count jobs.
   */
  ladderPart: 'transcode-parts',
} as const;
export type JobName = keyof typeof QUEUE_NAMES;

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
  /** The output holds the ended live playlist (live.m3u8) beside index.m3u8. */
  readonly live?: boolean;
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
  ladderPart: { data: LadderPartJobData; result: LadderPartResult };
}
