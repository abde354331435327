import type { QualityProfile } from './codecs';
import { checkOutputRequest, pickSampleRate, planEncoding, type EncodingPlan, type SourceAudio } from './encoding-plan';
import { planLadderParts, type LadderPart } from './ladder-parts';
import { checkLadder, type LadderOutput, type LadderRequest, type TranscodeRequest } from './transcode-request';

/** One rung of an ABR ladder: its profile name (also its folder) and plan. */
export interface RenditionPlan {
  readonly name: QualityProfile;
  readonly plan: EncodingPlan;
}

/** Every encoding a job makes, decided before it is queued. */
export interface OutputPlan {
  /** The single rendition; for a ladder, its top rung. */
  readonly plan: EncodingPlan;
  /** A ladder's rungs, lowest bitrate first (absent: one rendition). */
  readonly renditions?: readonly RenditionPlan[];
  /** The plan of download.m4a, when it was asked for. */
  readonly download?: EncodingPlan;
  /** How a ladder's rungs are split among workers (with `renditions`; see planLadderParts). */
  readonly parts?: readonly LadderPart[];
}

/**
 * Plans a checked request against the probed source: every rendition and
 * the download. Pure, and raises nothing: `checkTranscodeOptions` made
 * the request, so no rule is applied twice.
 */
export function resolveOutputPlan(
  request: Pick<TranscodeRequest, 'output' | 'download'>,
  source: SourceAudio,
): OutputPlan {
  const downloadPlan = request.download ? resolveDownloadPlan(source) : null;
  const download = downloadPlan ? { download: downloadPlan } : {};
  const { output } = request;
  if (output.kind === 'single') {
    return { plan: planEncoding(output.profile, output, source), ...download };
  }
  const renditions = planLadder(output, source);
  const top = renditions[renditions.length - 1];
  if (top === undefined) throw new Error('a ladder has at least one rung');
  return { plan: top.plan, renditions, ...download, parts: planLadderParts(renditions, downloadPlan) };
}

/** One plan per rung, lowest bitrate first (the top rung is the job's `plan`). */
export function resolveLadder(request: LadderRequest, source: SourceAudio): RenditionPlan[] {
  return planLadder(checkLadder(request), source);
}

function planLadder(ladder: LadderOutput, source: SourceAudio): RenditionPlan[] {
  return ladder.rungs.map((rung) => ({
    name: rung.name,
    plan: planEncoding(rung.name, { codec: ladder.codec, bitrate: rung.bitrate }, source),
  }));
}

/** download.m4a's codec and bitrate: AAC at the `high` profile's bitrate, checked once at load. */
const DOWNLOAD_OUTPUT = checkOutputRequest({ profile: 'high', codec: 'aac' });

/**
 * The plan of `download.m4a`: AAC, the `high` profile's bitrate, the source
 * rate up to 48 kHz (else 44.1/48 kHz by family), stereo at most. Whatever the HLS codec, the
 * download is the file every device plays offline.
 */
export function resolveDownloadPlan(source: SourceAudio): EncodingPlan {
  const plan = planEncoding('high', DOWNLOAD_OUTPUT, source);
  // An offline copy at 256 kb/s gains nothing above 48 kHz.
  return plan.sampleRate > 48_000 ? { ...plan, sampleRate: pickSampleRate(source.sampleRate, [44_100, 48_000]) } : plan;
}
