import {
  CODECS,
  PRIORITIES,
  type Codec,
  type Priority,
  type QualityProfile,
  type SameType,
} from '@stream-server/contract';

// The names the API takes are the contract's; this package says what each one means.
export { CODECS, PRIORITIES, type Codec, type Priority, type QualityProfile };

/** The contract's profiles, best first: the order error messages list them in. */
export const QUALITY_PROFILES = ['hi_res', 'high', 'medium', 'low'] as const satisfies readonly QualityProfile[];
const _EVERY_PROFILE: SameType<(typeof QUALITY_PROFILES)[number], QualityProfile> = true;

/** HLS segment container: MPEG-TS can carry AAC/MP3 only; Opus/FLAC need fMP4. */
export type SegmentContainer = 'mpegts' | 'fmp4';

export interface CodecTraits {
  readonly lossless: boolean;
  readonly container: SegmentContainer;
  /** Bitrate (bps) a profile picks when the caller names no bitrate. */
  readonly profileBitrates: Readonly<Record<QualityProfile, number>> | null;
  /** Explicit bitrates outside this range cannot be honoured → 400. */
  readonly bitrateRange: readonly [min: number, max: number] | null;
  /** Sample rates the encoder accepts; null means "any" (FLAC). */
  readonly sampleRates: readonly number[] | null;
}

const AAC_RATES = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000];
const MP3_RATES = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000];

// Profile bitrates: AAC follows the seed (64/128/256); other lossy codecs
// pick what sounds comparable for that codec (e.g. Opus is ~2x as efficient).
export const CODEC_TRAITS: Readonly<Record<Codec, CodecTraits>> = {
  aac: {
    lossless: false,
    container: 'mpegts',
    profileBitrates: { low: 64_000, medium: 128_000, high: 256_000, hi_res: 320_000 },
    bitrateRange: [32_000, 512_000],
    sampleRates: AAC_RATES,
  },
  mp3: {
    lossless: false,
    container: 'mpegts',
    profileBitrates: { low: 96_000, medium: 160_000, high: 320_000, hi_res: 320_000 },
    // MPEG-1 Layer III tops out at 320 kb/s; lower than 32 kb/s is not music.
    bitrateRange: [32_000, 320_000],
    sampleRates: MP3_RATES,
  },
  opus: {
    lossless: false,
    container: 'fmp4',
    profileBitrates: { low: 48_000, medium: 96_000, high: 160_000, hi_res: 256_000 },
    bitrateRange: [6_000, 510_000],
    // Opus always decodes at 48 kHz; encoding at anything else only resamples twice.
    sampleRates: [48000],
  },
  flac: {
    lossless: true,
    container: 'fmp4',
    profileBitrates: null,
    bitrateRange: null,
    sampleRates: null,
  },
};

/** Codec used when the caller names a profile but no codec. */
export function defaultCodecFor(profile: QualityProfile): Codec {
  return profile === 'hi_res' ? 'flac' : 'aac';
}

export function isCodec(value: string): value is Codec {
  return (CODECS as readonly string[]).includes(value);
}
