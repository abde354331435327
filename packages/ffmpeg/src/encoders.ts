import type { Codec } from '@stream-server/profiles';

/**
 * ffmpeg encoders that can write each codec, best first. Which one is used
 * is decided at start-up by `detectCapabilities` (a real test encode), not
 * by trusting `ffmpeg -encoders`: a build can list an encoder whose output
 * its HLS/fMP4 muxer still refuses.
 */
export const ENCODER_CANDIDATES: Readonly<Record<Codec, readonly string[]>> = {
  aac: ['aac'],
  mp3: ['libmp3lame'],
  opus: ['libopus', 'opus'],
  flac: ['flac'],
};

/** The encoder chosen for each codec this ffmpeg can write into HLS. */
export type EncoderMap = Partial<Record<Codec, string>>;
