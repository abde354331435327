import { InvalidInputError } from '@stream-server/errors';
import { CODEC_TRAITS, type Codec, type Priority, type QualityProfile } from './codecs';
import { checkOutputRequest } from './encoding-plan';
import type { TranscodeOptions } from './transcode-options';

/** One rendition at the root of the job's output. */
export interface SingleOutput {
  readonly kind: 'single';
  readonly profile: QualityProfile;
  readonly codec: Codec;
  /** Target bitrate in bps; null for lossless. */
  readonly bitrate: number | null;
}

/** One rung of a ladder: its profile (also its folder) and that profile's bitrate. */
export interface LadderRung {
  readonly name: QualityProfile;
  readonly bitrate: number;
}

/** An ABR ladder: one lossy codec, two or more rungs, lowest bitrate first. */
export interface LadderOutput {
  readonly kind: 'ladder';
  readonly codec: Codec;
  readonly rungs: readonly LadderRung[];
}

export type OutputChoice = SingleOutput | LadderOutput;

/**
 * A submit request once every rule that needs no source has been applied:
 * codec and bitrate ranges, the ladder rules. Made by
 * `checkTranscodeOptions` only; planning it against a probed source
 * (`resolveOutputPlan`) cannot fail.
 */
export interface TranscodeRequest {
  readonly output: OutputChoice;
  readonly priority: Priority;
  readonly trackId?: string | undefined;
  /** Two-pass loudness normalisation to the configured target. */
  readonly normalize: boolean;
  /** Also write one `download.m4a` (AAC) in the same pass. */
  readonly download: boolean;
}

export interface LadderRequest {
  readonly renditions: readonly QualityProfile[];
  readonly codec?: Codec | undefined;
}

/**
 * Applies the rules that need no source to the parsed form fields: the
 * single place a request's codec and bitrate are checked. Raises
 * INVALID_BITRATE or INVALID_RENDITIONS.
 */
export function checkTranscodeOptions(options: TranscodeOptions): TranscodeRequest {
  return {
    output: options.renditions
      ? checkLadder({ renditions: options.renditions, codec: options.codec })
      : checkSingle(options),
    priority: options.priority,
    trackId: options.trackId,
    normalize: options.normalize === true,
    download: options.download === true,
  };
}

/**
 * The codec of a ladder, checked before the probe. Every rung uses one
 * codec (AAC unless named: hi_res alone would default to FLAC), and it must
 * be lossy: rungs of one lossless codec would all be the same stream.
 */
export function checkLadderRequest(request: LadderRequest): Codec {
  const codec = request.codec ?? 'aac';
  if (CODEC_TRAITS[codec].lossless) {
    throw new InvalidInputError(
      'INVALID_RENDITIONS',
      `A ladder of renditions needs a lossy codec (aac, mp3 or opus); ${codec} is lossless, so every rung would be the same.`,
    );
  }
  return codec;
}

/**
 * The ladder's codec, checked once; each rung takes its profile's bitrate
 * from the codec table (whose bitrates lie within the codec's range, a
 * property of the table that its tests pin), so rungs need no check.
 */
export function checkLadder(request: LadderRequest): LadderOutput {
  const codec = checkLadderRequest(request);
  const bitrates = CODEC_TRAITS[codec].profileBitrates;
  if (bitrates === null) throw new Error(`codec table incomplete for ${codec}`);
  const rungs = request.renditions
    .map((name) => ({ name, bitrate: bitrates[name] }))
    // Stable: equal bitrates (MP3 high and hi_res) keep the request's order.
    .sort((a, b) => a.bitrate - b.bitrate);
  return { kind: 'ladder', codec, rungs };
}

function checkSingle(options: TranscodeOptions): SingleOutput {
  const { codec, bitrate } = checkOutputRequest(options);
  return { kind: 'single', profile: options.profile, codec, bitrate };
}

/** Every codec the job will write: the HLS codec, and AAC for download.m4a. */
export function codecsOf(request: TranscodeRequest): Codec[] {
  const codec = request.output.codec;
  return request.download && codec !== 'aac' ? [codec, 'aac'] : [codec];
}
