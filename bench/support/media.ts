import { open } from 'node:fs/promises';
import path from 'node:path';
import { resolveBinaries, type FfmpegBinaries } from '@stream-server/ffmpeg';
import { run } from './processes';

let binaries: Promise<FfmpegBinaries> | undefined;

/** The ffmpeg/ffprobe the service resolves too (same rules, no FFMPEG_PATH set). */
export function benchBinaries(): Promise<FfmpegBinaries> {
  binaries ??= resolveBinaries({});
  return binaries;
}

/**
 * A 44.1 kHz stereo 16-bit WAV of a tone plus pink noise (noise keeps the
 * AAC encoder as busy as music does; a pure tone would flatter it).
 */
export function makeWav(dir: string, name: string, seconds: number): Promise<string> {
  return makeTone(path.join(dir, `${name}.wav`), seconds, ['-c:a', 'pcm_s16le']);
}

/**
 * A valid WAV header followed by `totalBytes` of silence. The body is a
 * sparse file (ftruncate), so making 1 GiB costs no disk and reading it
 * costs the client next to nothing: the upload measures the server.
 */
export async function makeSilentWav(file: string, totalBytes: number): Promise<string> {
  const dataBytes = totalBytes - 44;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(2, 22); // channels
  header.writeUInt32LE(44_100, 24);
  header.writeUInt32LE(44_100 * 4, 28); // byte rate
  header.writeUInt16LE(4, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  const handle = await open(file, 'w');
  try {
    await handle.write(header, 0, 44, 0);
    await handle.truncate(totalBytes);
  } finally {
    await handle.close();
  }
  return file;
}

/**
 * An MP3 (LAME, 192 kb/s, 44.1 kHz stereo) of the same tone plus pink
 * noise, for figures about compressed uploads.
 */
export function makeMp3(dir: string, name: string, seconds: number): Promise<string> {
  return makeTone(path.join(dir, `${name}.mp3`), seconds, ['-c:a', 'libmp3lame', '-b:a', '192k']);
}

/** The tone plus pink noise, encoded with `codec` into `file`. */
async function makeTone(file: string, seconds: number, codec: readonly string[]): Promise<string> {
  const { ffmpeg } = await benchBinaries();
  await run(ffmpeg, [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:sample_rate=44100:duration=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `anoisesrc=color=pink:amplitude=0.3:sample_rate=44100:duration=${seconds}`,
    '-filter_complex',
    '[0:a][1:a]amix=inputs=2:duration=shortest,aformat=channel_layouts=stereo',
    ...codec,
    file,
  ]);
  return file;
}
