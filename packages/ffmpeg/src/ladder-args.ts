import type { EncodingPlan } from '@stream-server/profiles';
import { analysisPcmOutput, encoderArgs, hlsMuxerArgs, HLS_MANIFEST, inputArgs, metersInProcess } from './argv-parts';
import {
  buildNormalizeFilter,
  LOUDNESS_MEASURE_FILTER,
  type LoudnessMeasurement,
  type LoudnessTarget,
} from './loudness';

/** One HLS rendition written by the encode. */
export interface RenditionOutput {
  /**
   * Folder of the rendition under the work dir ("low"), or null for the
   * one-rendition layout: playlist and segments at the root, as the seed's
   * clients read them.
   */
  readonly dir: string | null;
  readonly plan: EncodingPlan;
  /** ffmpeg encoder for `plan.codec` (see detectCapabilities). */
  readonly encoder: string;
}

export interface EncodeJob {
  /** Absolute path of the source upload. */
  readonly input: string;
  /** The probed demuxer, forced with `-f`. */
  readonly demuxer: string;
  readonly renditions: readonly RenditionOutput[];
  readonly segmentSeconds: number;
  /** Hard cap on every output's length (a lying header cannot make it run away). */
  readonly maxDurationSeconds: number;
  /** Probed source rate and channels: the waveform's rate and mix, and the rate loudnorm returns to. */
  readonly sourceSampleRate: number;
  readonly sourceChannels: number;
  /** Pass 2 of `normalize=true`: pass 1's figures and the target. */
  readonly normalize: { readonly target: LoudnessTarget; readonly measured: LoudnessMeasurement } | null;
  /** Fold a waveform with this many samples per pixel, or null for none. */
  readonly waveformSamplesPerPixel: number | null;
  /**
   * Measure the output's loudness (absent: true). Off for the parts of a
   * ladder job that leave the job's extras to another part.
   */
  readonly meter?: boolean;
  /** `download.m4a`: AAC in MP4 with its index up front, or null. */
  readonly download: { readonly plan: EncodingPlan; readonly encoder: string; readonly file: string } | null;
}

/** Name of the download output in the work dir. */
export const DOWNLOAD_FILE = 'download.m4a';

/**
 * Whether the encode writes the analysis PCM to fd 3: for the waveform,
 * and for loudness whenever it is measured in process. Pure.
 */
export function writesAnalysisPcm(
  job: Pick<EncodeJob, 'sourceChannels' | 'waveformSamplesPerPixel' | 'meter'>,
): boolean {
  return job.waveformSamplesPerPixel !== null || (job.meter !== false && metersInProcess(job.sourceChannels));
}

/**
 * ffmpeg arguments for the whole job in one process: the source is decoded
 * once, (normalised,) split with `asplit`, and each branch goes to one
 * output: every HLS rendition, the download file, and the analysis PCM on
 * fd 3 (every channel as 32-bit float, which PcmAnalyzer turns into the
 * loudness, true peak and waveform on the worker's own thread, beside
 * ffmpeg's). Sources with surround channels are metered by an `ebur128`
 * branch to `-f null` instead (its summary on stderr), which knows the
 * layout's channel weights. Run with the work dir as cwd; all names are
 * relative. `-loglevel level+info` because that summary is printed at info
 * level; the `[error]` tags let the runner keep only errors for messages.
 * Pure: no I/O.
 */
export function buildEncodeArgs(job: EncodeJob): string[] {
  if (job.renditions.length === 0) throw new Error('an encode needs a rendition');
  const meterBranch = job.meter !== false && !metersInProcess(job.sourceChannels);
  const pcm = writesAnalysisPcm(job);
  const branches = job.renditions.map((_rendition, index) => `r${index}`);
  if (job.download) branches.push('dl');
  if (meterBranch) branches.push('ld');
  if (pcm) branches.push('an');

  const head = job.normalize
    ? `[0:a:0]${buildNormalizeFilter(job.normalize.target, job.normalize.measured, job.sourceSampleRate)},`
    : '[0:a:0]';
  const graph = [`${head}asplit=${branches.length}${branches.map((label) => `[${label}]`).join('')}`];
  if (meterBranch) graph.push(`[ld]${LOUDNESS_MEASURE_FILTER}[ldo]`);

  const cap = ['-t', String(job.maxDurationSeconds)];
  const args = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'level+info',
    '-y',
    ...inputArgs(job.input, job.demuxer),
    '-filter_complex',
    graph.join(';'),
    '-progress',
    'pipe:1',
    '-nostats',
  ];
  job.renditions.forEach((rendition, index) => {
    const fmp4 = rendition.plan.container === 'fmp4';
    const dir = rendition.dir === null ? '' : `${rendition.dir}/`;
    args.push(
      '-map',
      `[r${index}]`,
      '-map_metadata',
      '-1',
      ...encoderArgs(rendition.plan, rendition.encoder),
      ...cap,
      // MP4 muxers in ffmpeg 5 still call Opus/FLAC-in-MP4 "experimental".
      ...(fmp4 ? ['-strict', 'experimental'] : []),
      // No `-hls_flags independent_segments`: ffmpeg 5.1 then only bumps the
      // playlist version to 6 for audio. The multivariant playlist's
      // EXT-X-INDEPENDENT-SEGMENTS applies to every rung (RFC 8216 4.3.5.1).
      ...hlsMuxerArgs(rendition.plan.container, job.segmentSeconds, dir),
      `${dir}${HLS_MANIFEST}`,
    );
  });
  if (job.download) {
    args.push(
      '-map',
      '[dl]',
      '-map_metadata',
      '-1',
      ...encoderArgs(job.download.plan, job.download.encoder),
      ...cap,
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
      job.download.file,
    );
  }
  if (meterBranch) args.push('-map', '[ldo]', ...cap, '-f', 'null', '-');
  if (pcm) args.push('-map', '[an]', ...cap, ...analysisPcmOutput(job.sourceSampleRate, job.sourceChannels));
  return args;
}

/**
 * Keeps the error lines of a `level+info` stderr (tag removed), so failure
 * messages and the undecodable-media check read what `-loglevel error`
 * would have printed.
 */
export function errorLinesOnly(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => /\[(?:error|fatal|panic)\] /.test(line))
    .map((line) => line.replace(/\[(?:error|fatal|panic)\] /, ''))
    .join('\n');
}
