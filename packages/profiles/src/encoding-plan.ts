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

/**
 * The part of the request that needs no knowledge of the source: the codec
 * and the bitrate. Lets the API refuse an impossible request (a bitrate
 * for FLAC, 900 kb/s MP3) before it spends a probe on the upload.
 */
export function checkOutputRequest(request: OutputRequest): { codec: Codec; bitrate: number | null } {
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
 * Turns the caller's request and the probed source into one encoding plan.
 * Pure: the same inputs always give the same plan, and every rule that can
 * make a request impossible raises here, before anything is queued.
 */
export function resolveEncodingPlan(request: OutputRequest, source: SourceAudio): EncodingPlan {
  const { codec, bitrate } = checkOutputRequest(request);
  const traits = CODEC_TRAITS[codec];

  const hiRes = request.profile === 'hi_res';
  let sampleRate: number;
  if (traits.sampleRates) {
    sampleRate = pickSampleRate(source.sampleRate, traits.sampleRates);
  } else if (hiRes) {
    sampleRate = source.sampleRate;
  } else {
    sampleRate = source.sampleRate <= STANDARD_LOSSLESS_MAX_RATE
      ? source.sampleRate
      : pickSampleRate(source.sampleRate, [44_100, 48_000]);
  }

  // Lossy codecs get stereo at most: players and bitrates assume it.
  const channels = traits.lossless
    ? Math.min(source.channels, MAX_LOSSLESS_CHANNELS)
    : Math.min(source.channels, 2);

  let bitDepth: 16 | 24 | null = null;
  if (traits.lossless) {
    bitDepth = hiRes && (source.bitsPerSample ?? 16) > 16 ? 24 : 16;
  }

  return { codec, profile: request.profile, bitrate, sampleRate, channels, bitDepth, container: traits.container };
}

/**
 * Keeps the source rate when the encoder takes it; otherwise the closest
 * rate of the same family (44.1k vs 48k) so resampling stays an integer
 * ratio where possible, else the next rate up (never throw quality away).
 */
export function pickSampleRate(source: number, allowed: readonly number[]): number {
  if (allowed.length === 0) throw new Error('no sample rates allowed');
  if (allowed.includes(source)) return source;
  const sorted = [...allowed].sort((a, b) => a - b);
  const max = sorted[sorted.length - 1] as number;
  if (source > max) {
    const sameFamily = sorted.filter((rate) => source % rate === 0);
    return sameFamily.length > 0 ? (sameFamily[sameFamily.length - 1] as number) : max;
  }
  return sorted.find((rate) => rate >= source) ?? max;
}

/** Operator limits on what an upload may contain (MAX_* settings). */
export interface SourceLimits {
  readonly maxDurationSeconds: number;
  readonly maxChannels: number;
  readonly maxSampleRate: number;
}

/**
 * Refuses sources over the configured limits, each with its own code, so a
 * client knows which limit it hit. Checked on the probe, before queueing;
 * the encoder is also capped at maxDurationSeconds in case the header lied.
 */
export function checkSourceLimits(source: SourceAudio, limits: SourceLimits): void {
  if (source.durationSeconds > limits.maxDurationSeconds) {
    throw new InvalidInputError(
      'DURATION_TOO_LONG',
      `The audio lasts ${Math.round(source.durationSeconds)} s; this server accepts at most ${limits.maxDurationSeconds} s.`,
    );
  }
  if (source.channels > limits.maxChannels) {
    throw new InvalidInputError('TOO_MANY_CHANNELS', `The audio has ${source.channels} channels; this server accepts at most ${limits.maxChannels}.`);
  }
  if (source.sampleRate > limits.maxSampleRate) {
    throw new InvalidInputError(
      'SAMPLE_RATE_TOO_HIGH',
      `The audio is sampled at ${source.sampleRate} Hz; this server accepts at most ${limits.maxSampleRate} Hz.`,
    );
  }
}

/** One rung of an ABR ladder: its profile name (also its folder) and plan. */
export interface RenditionPlan {
  readonly name: QualityProfile;
  readonly plan: EncodingPlan;
}

export interface LadderRequest {
  readonly renditions: readonly QualityProfile[];
  readonly codec?: Codec | undefined;
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

/** One plan per rung, lowest bitrate first (the top rung is the job's `plan`). */
export function resolveLadder(request: LadderRequest, source: SourceAudio): RenditionPlan[] {
  const codec = checkLadderRequest(request);
  return request.renditions
    .map((name) => ({ name, plan: resolveEncodingPlan({ profile: name, codec }, source) }))
    .sort((a, b) => (a.plan.bitrate ?? 0) - (b.plan.bitrate ?? 0));
}

/**
 * The plan of `download.m4a`: AAC, the `high` profile's bitrate, the source
 * rate up to 48 kHz (else 44.1/48 kHz by family), stereo at most. Whatever the HLS codec, the
 * download is the file every device plays offline.
 */
export function resolveDownloadPlan(source: SourceAudio): EncodingPlan {
  const plan = resolveEncodingPlan({ profile: 'high', codec: 'aac' }, source);
  // An offline copy at 256 kb/s gains nothing above 48 kHz.
  return plan.sampleRate > 48_000 ? { ...plan, sampleRate: pickSampleRate(source.sampleRate, [44_100, 48_000]) } : plan;
}
