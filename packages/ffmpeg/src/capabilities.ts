import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CODECS, type Codec } from '@stream-server/profiles';
import { ENCODER_CANDIDATES, type EncoderMap } from './encoders';
import { buildCapabilityProbeArgs } from './argv-parts';
import { runProcess } from './process-runner';

/**
 * Finds which codecs this ffmpeg can really write into HLS by encoding
 * half a second of a test tone with each candidate encoder. Listing
 * encoders is not enough: the bundled 2018 build has libopus but its MP4
 * muxer refuses Opus and FLAC. The scratch dir is in the machine's own
 * temp dir, not on the shared volume: a worker killed mid-probe leaves
 * nothing there for the fleet to sweep.
 */
export async function detectCapabilities(ffmpeg: string, scratchRoot: string = os.tmpdir()): Promise<EncoderMap> {
  const found: EncoderMap = {};
  const scratch = await mkdtemp(path.join(scratchRoot, 'ffmpeg-caps-'));
  try {
    await Promise.all(
      CODECS.map(async (codec) => {
        const encoder = await firstWorkingEncoder(ffmpeg, codec, scratch);
        if (encoder) found[codec] = encoder;
      }),
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return found;
}

async function firstWorkingEncoder(ffmpeg: string, codec: Codec, scratch: string): Promise<string | null> {
  for (const encoder of ENCODER_CANDIDATES[codec]) {
    const dir = path.join(scratch, `${codec}-${encoder}`);
    await mkdir(dir, { recursive: true });
    const result = await runProcess(ffmpeg, buildCapabilityProbeArgs(codec, encoder), {
      cwd: dir,
      timeoutMs: 20_000,
    }).catch(() => null);
    if (result?.exitCode === 0) return encoder;
  }
  return null;
}
