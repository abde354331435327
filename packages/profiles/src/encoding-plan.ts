import { InvalidInputError } from '@stream-server/errors';
import { CODEC_TRAITS, defaultCodecFor, type Codec, type QualityProfile, type SegmentContainer } from './codecs';

/** What ffprobe told us about the source's audio stream. */
export interface SourceAudio {
  readonly codec: string;
  readonly sampleRate: number;
  readonly channels: number;
  /** Bits per sample of the decoded source (PCM/FLAC), or null when unknown/lossy. */
  readonly bitsPerSample: number | null;
  readonly durationSeconds: number;
  readonly bitrate: number | null;
}

/** The source's descriptive tags we pass on (from ffprobe: format and stream tags). */
export interface TrackTags {
  readonly title?: string;
  readonly artist?: string;
  readonly album?: string;
  readonly track?: string;
}

export interface OutputRequest {
  readonly profile: QualityProfile;
  readonly codec?: Codec | undefined;
  readonly bitrate?: number | undefined;
}

/** Fully resolved output: everything the ffmpeg argument builder needs. */
export interface EncodingPlan {
  readonly codec: Codec;
  readonly profile: QualityProfile;
  /** Target bitrate in bps; null for lossless. */
  readonly bitrate: number | null;
  readonly sampleRate: number;
  readonly channels: number;
  /** FLAC only: 16 or 24 bits; null for lossy codecs. */
  readonly bitDepth: 16 | 24 | null;
  readonly container: SegmentContainer;
}

/** Lossless but not hi_res: CD-like, so a `flac` + `low` request is not a hi-res file. */
const STANDARD_LOSSLESS_MAX_RATE = 48_000;
const MAX_LOSSLESS_CHANNELS = 8;

/** A codec and bitrate that passed `checkOutputRequest`: what the planner takes. */
export interface CheckedOutput {
  readonly codec: Codec;
  /** Target bitrate in bps; null for lossless. */
  readonly bitrate: number | null;
}

/**
 * The part of the request that needs no knowledge of the source: the codec
 * and the bitrate. Lets the API refuse an impossible request (a bitrate
 * for FLAC, 900 kb/s MP3) before it spends a probe on the upload.
 */
export function checkOutputRequest(request: OutputRequest): CheckedOutput {
  const codec = request.codec ?? defaultCodecFor(request.profile);
  const traits = CODEC_TRAITS[codec];
  if (traits.lossless) {
    if (request.bitrate !== undefined) {
      throw new InvalidInputError(
        'INVALID_BITRATE',
        `A bitrate cannot be set for ${codec}: it is lossless. Leave out "bitrate" or pick a lossy codec.`,
      );
    }
    return { codec, bitrate: null };
  }
  const bitrate = request.bitrate ?? traits.profileBitrates?.[request.profile];
  const range = traits.bitrateRange;
  if (bitrate === undefined || range === null) throw new Error(`codec table incomplete for ${codec}`);
  if (bitrate < range[0] || bitrate > range[1]) {
    throw new InvalidInputError(
      'INVALID_BITRATE',
      `Bitrate ${bitrate} bps is out of range for ${codec}: use ${range[0]} to ${range[1]} bps.`,
    );
  }
  return { codec, bitrate };
}

/**
 * Checks the request, then plans it (`planEncoding`): for callers holding
 * an unchecked request. The API checks once at submit and plans with
 * `resolveOutputPlan` instead.
 */
export function resolveEncodingPlan(request: OutputRequest, source: SourceAudio): EncodingPlan {
  return planEncoding(request.profile, checkOutputRequest(request), source);
}

/**
 * Turns an already checked output and the probed source into one encoding
 * plan: sample rate, channels and bit depth follow from the source. Pure,
 * and raises nothing: every rule that can make a request impossible was
 * applied when `output` was checked.
 */
export function planEncoding(profile: QualityProfile, output: CheckedOutput, source: SourceAudio): EncodingPlan {
  const { codec, bitrate } = output;
  const traits = CODEC_TRAITS[codec];

  const hiRes = profile === 'hi_res';
  let sampleRate: number;
  if (traits.sampleRates) {
    sampleRate = pickSampleRate(source.sampleRate, traits.sampleRates);
  } else if (hiRes) {
    sampleRate = source.sampleRate;
  } else {
    sampleRate =
      source.sampleRate <= STANDARD_LOSSLESS_MAX_RATE
        ? source.sampleRate
        : pickSampleRate(source.sampleRate, [44_100, 48_000]);
  }

  // Lossy codecs get stereo at most: players and bitrates assume it.
  const channels = traits.lossless ? Math.min(source.channels, MAX_LOSSLESS_CHANNELS) : Math.min(source.channels, 2);

  let bitDepth: 16 | 24 | null = null;
  if (traits.lossless) {
    bitDepth = hiRes && (source.bitsPerSample ?? 16) > 16 ? 24 : 16;
  }

  return { codec, profile, bitrate, sampleRate, channels, bitDepth, container: traits.container };
}

/**
 * Keeps the source rate when the encoder takes it; otherwise the closest
 * rate of the same family (44.1k vs 48k) so resampling stays an integer
 * ratio where possible, else the next rate up (never throw quality away).
 */
export function pickSampleRate(source: number, allowed: readonly number[]): number {
  if (allowed.includes(source)) return source;
  const sorted = [...allowed].sort((a, b) => a - b);
  const max = sorted[sorted.length - 1];
  if (max === undefined) throw new Error('no sample rates allowed');
  if (source > max) {
    const sameFamily = sorted.filter((rate) => source % rate === 0);
    return sameFamily[sameFamily.length - 1] ?? max;
  }
  return sorted.find((rate) => rate >= source) ?? max;
}
