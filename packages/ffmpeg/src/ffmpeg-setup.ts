import { CODECS, type Codec } from '@stream-server/profiles';
import type { Logger } from '@stream-server/logger';
import { resolveBinaries, type BinaryOverrides, type FfmpegBinaries } from './binaries';
import { detectCapabilities } from './capabilities';
import type { EncoderMap } from './encoders';

export interface FfmpegSetup {
  readonly binaries: FfmpegBinaries;
  readonly encoders: EncoderMap;
  /** The codecs this ffmpeg can write into HLS, in the codec table's order. */
  readonly codecs: readonly Codec[];
}

/**
 * Start-up of every process that runs ffmpeg (API and workers): resolve
 * the binaries, find what they can really write, and log it once.
 */
export async function setUpFfmpeg(overrides: BinaryOverrides, logger: Logger): Promise<FfmpegSetup> {
  const binaries = await resolveBinaries(overrides);
  const encoders = await detectCapabilities(binaries.ffmpeg);
  const codecs = CODECS.filter((codec) => encoders[codec] !== undefined);
  logger.info('ffmpeg ready', {
    ffmpeg: binaries.ffmpeg,
    ffprobe: binaries.ffprobe,
    source: binaries.source,
    version: binaries.version,
    codecs,
  });
  return { binaries, encoders, codecs };
}
