import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { resolveBinaries, runProcess, type FfmpegBinaries } from '@stream-server/ffmpeg';

let binaries: Promise<FfmpegBinaries> | undefined;

/** The ffmpeg/ffprobe the service itself would use (same resolution rules). */
export function testBinaries(): Promise<FfmpegBinaries> {
  binaries ??= resolveBinaries({});
  return binaries;
}

export interface ToneOptions {
  readonly seconds: number;
  readonly sampleRate?: number;
  readonly channels?: number;
  /** wav (default), flac, mp3, m4a, ogg… picked by extension. */
  readonly extension?: string;
  /** e.g. ['-c:a', 'pcm_s24le'] for a 24-bit WAV. */
  readonly codecArgs?: readonly string[];
}

/**
 * Makes a test track with ffmpeg's lavfi sources: a tone plus pink noise
 * (noise keeps lossy encoders near their target bitrate, as real music
 * does; a pure tone would undershoot). Nothing binary is committed.
 */
export async function makeTrack(dir: string, name: string, options: ToneOptions): Promise<string> {
  const { ffmpeg } = await testBinaries();
  const rate = options.sampleRate ?? 44_100;
  const channels = options.channels ?? 2;
  const file = path.join(dir, `${name}.${options.extension ?? 'wav'}`);
  const result = await runProcess(ffmpeg, [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:sample_rate=${rate}:duration=${options.seconds}`,
    '-f',
    'lavfi',
    '-i',
    `anoisesrc=color=pink:amplitude=0.3:sample_rate=${rate}:duration=${options.seconds}`,
    '-filter_complex',
    `[0:a][1:a]amix=inputs=2:duration=shortest,aformat=channel_layouts=${layoutFor(channels)}`,
    '-ar',
    String(rate),
    ...(options.codecArgs ?? []),
    file,
  ]);
  if (result.exitCode !== 0) throw new Error(`could not make fixture ${name}: ${result.stderrTail}`);
  return file;
}

function layoutFor(channels: number): string {
  const layouts: Record<number, string> = { 1: 'mono', 2: 'stereo', 6: '5.1', 8: '7.1' };
  const layout = layouts[channels];
  if (!layout) throw new Error(`no layout for ${channels} channels`);
  return layout;
}

export interface DecodedAudio {
  readonly durationSeconds: number;
  readonly codec: string;
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitsPerRawSample: number | null;
  /** Audio payload bits per second (sum of packet sizes / duration): no container overhead. */
  readonly audioBitrate: number;
}

/**
 * Decodes a whole playlist (URL or path) the way a player would: ffmpeg's
 * HLS demuxer fetches every segment, the audio is decoded to PCM, and the
 * PCM's duration is measured. Also reports the encoded stream's codec,
 * rate, channels and payload bitrate from ffprobe.
 */
export async function decodePlaylist(playlist: string): Promise<DecodedAudio> {
  const { ffmpeg, ffprobe } = await testBinaries();
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'decode-'));
  try {
    const wav = path.join(scratch, 'decoded.wav');
    const decoded = await runProcess(ffmpeg, [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-y',
      '-i',
      playlist,
      '-map',
      '0:a:0',
      '-c:a',
      'pcm_s32le',
      wav,
    ]);
    if (decoded.exitCode !== 0) throw new Error(`decoding ${playlist} failed: ${decoded.stderrTail}`);
    const wavInfo = await probeJson(ffprobe, ['-show_entries', 'stream=duration,sample_rate,channels', wav]);
    const wavStream = first(wavInfo, 'streams');

    const streamInfo = await probeJson(ffprobe, [
      '-select_streams',
      'a:0',
      '-show_entries',
      'stream=codec_name,sample_rate,channels,bits_per_raw_sample',
      playlist,
    ]);
    const stream = first(streamInfo, 'streams');
    const packets = await runProcess(
      ffprobe,
      ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'packet=size', '-of', 'csv=p=0', playlist],
      { collectStdout: true },
    );
    const payloadBytes = packets.stdout
      .split('\n')
      .map((line) => Number.parseInt(line, 10))
      .filter((n) => Number.isFinite(n))
      .reduce((sum, n) => sum + n, 0);

    const durationSeconds = Number(wavStream['duration']);
    const bits = Number(stream['bits_per_raw_sample']);
    return {
      durationSeconds,
      codec: String(stream['codec_name']),
      sampleRate: Number(stream['sample_rate']),
      channels: Number(stream['channels']),
      bitsPerRawSample: Number.isFinite(bits) && bits > 0 ? bits : null,
      audioBitrate: durationSeconds > 0 ? (payloadBytes * 8) / durationSeconds : 0,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function probeJson(ffprobe: string, args: readonly string[]): Promise<unknown> {
  const result = await runProcess(ffprobe, ['-v', 'error', '-of', 'json', ...args], { collectStdout: true });
  if (result.exitCode !== 0) throw new Error(`ffprobe failed: ${result.stderrTail}`);
  return JSON.parse(result.stdout);
}

function first(data: unknown, key: string): Record<string, unknown> {
  const list: unknown = typeof data === 'object' && data !== null ? Reflect.get(data, key) : undefined;
  const item: unknown = Array.isArray(list) ? list[0] : undefined;
  if (typeof item !== 'object' || item === null) throw new Error(`ffprobe printed no ${key}`);
  return Object.fromEntries(Object.entries(item));
}

/**
 * A stereo track whose first half is loud (peaks near -6 dBFS) and second
 * half `quietGain` times as loud (tone + pink noise), for waveform peak
 * checks. `tags`
 * become the file's metadata (WAV INFO: title, artist, album, track).
 */
export async function makeStepTrack(
  dir: string,
  name: string,
  options: { readonly seconds: number; readonly quietGain: number; readonly tags?: Readonly<Record<string, string>> },
): Promise<string> {
  const { ffmpeg } = await testBinaries();
  const file = path.join(dir, `${name}.wav`);
  const half = options.seconds / 2;
  const tagArgs = Object.entries(options.tags ?? {}).flatMap(([key, value]) => ['-metadata', `${key}=${value}`]);
  const result = await runProcess(ffmpeg, [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:sample_rate=44100:duration=${options.seconds}`,
    '-f',
    'lavfi',
    '-i',
    `anoisesrc=color=pink:amplitude=0.3:sample_rate=44100:duration=${options.seconds}`,
    '-filter_complex',
    `[0:a][1:a]amix=inputs=2:duration=shortest,aformat=channel_layouts=stereo,volume='if(lt(t,${half}),4,${4 * options.quietGain})':eval=frame`,
    ...tagArgs,
    file,
  ]);
  if (result.exitCode !== 0) throw new Error(`could not make fixture ${name}: ${result.stderrTail}`);
  return file;
}

/** EBU R128 of a file or playlist URL, measured by ffmpeg's ebur128 filter (the yardstick the loudness tests use). */
export async function measureLoudness(input: string): Promise<{ integratedLufs: number; truePeakDbfs: number }> {
  const { ffmpeg } = await testBinaries();
  const result = await runProcess(
    ffmpeg,
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'info',
      '-i',
      input,
      '-map',
      '0:a:0',
      '-af',
      'ebur128=peak=true:framelog=verbose',
      '-f',
      'null',
      '-',
    ],
    { stderrTailBytes: 64 * 1024 },
  );
  if (result.exitCode !== 0) throw new Error(`measuring ${input} failed: ${result.stderrTail.slice(-500)}`);
  const summary = result.stderrTail.slice(result.stderrTail.lastIndexOf('Summary:'));
  const integrated = /I:\s+(-?[0-9.]+) LUFS/.exec(summary)?.[1];
  const peak = /Peak:\s+(-?[0-9.]+) dBFS/.exec(summary)?.[1];
  if (integrated === undefined || peak === undefined) throw new Error(`no ebur128 summary: ${summary.slice(0, 300)}`);
  return { integratedLufs: Number(integrated), truePeakDbfs: Number(peak) };
}

/**
 * A steady tone at about -21 LUFS with a one-sample click near full scale
 * every second: low loudness, high true peaks, so normalising it up to
 * -14 LUFS needs a limiter, not just a gain.
 */
export async function makePeakyTrack(dir: string, name: string, seconds: number): Promise<string> {
  const { ffmpeg } = await testBinaries();
  const file = path.join(dir, `${name}.wav`);
  const channel = '0.1*sin(2*PI*440*t)+if(eq(mod(n\\,44100)\\,0)\\,0.85\\,0)';
  const result = await runProcess(ffmpeg, [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `aevalsrc=exprs=${channel}|${channel}:s=44100:d=${seconds}`,
    '-c:a',
    'pcm_s16le',
    file,
  ]);
  if (result.exitCode !== 0) throw new Error(`could not make fixture ${name}: ${result.stderrTail}`);
  return file;
}
