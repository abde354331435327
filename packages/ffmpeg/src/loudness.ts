import { analysisPcmOutput, inputArgs, metersInProcess } from './argv-parts';

/** EBU R128 figures of one stream, as ffmpeg's ebur128 filter measures them. */
export interface LoudnessMeasurement {
  readonly integratedLufs: number;
  readonly loudnessRangeLu: number;
  readonly truePeakDbtp: number;
  /** Gating threshold: loudnorm's second pass needs it back. */
  readonly thresholdLufs: number;
  /** loudnorm's offset gain for its second pass (0: the figures are ebur128's own). */
  readonly targetOffsetLu: number;
}

/** Where normalisation aims (Config LOUDNESS_TARGET / LOUDNESS_TRUE_PEAK). */
export interface LoudnessTarget {
  readonly integratedLufs: number;
  readonly truePeakDbtp: number;
}

/**
 * The measuring filter: ebur128 with true peaks prints the integrated
 * loudness, its gating threshold, the loudness range and the true peak in
 * a summary when the graph closes (at info level, hence `-loglevel
 * level+info` on runs that use it; `framelog=verbose` keeps its per-frame
 * lines out of that). Its audio goes to `-f null`. About four times
 * cheaper than loudnorm's own measuring, which upsamples to 192 kHz.
 */
export const LOUDNESS_MEASURE_FILTER = 'ebur128=peak=true:framelog=verbose';

/** loudnorm's own bounds for the measured_* options (out of range fails the graph). */
const BOUNDS = {
  i: [-99, 0],
  tp: [-99, 99],
  lra: [0, 99],
  thresh: [-99, 0],
  offset: [-99, 99],
  targetLra: [1, 20],
} as const;

/** Loudness range we allow normalised output: wide enough that music stays linear. */
const TARGET_LRA = 11;

/**
 * Pass 1 of `normalize=true`: decode the upload once and measure it;
 * nothing is written but the analysis PCM on fd 3 (mono and stereo, see
 * metersInProcess) or ebur128's summary on stderr (surround). Same
 * untrusted-input rules as the encode.
 */
export function buildLoudnessMeasureArgs(
  input: string,
  demuxer: string,
  maxDurationSeconds: number,
  source: { readonly sampleRate: number; readonly channels: number },
): string[] {
  const output = metersInProcess(source.channels)
    ? analysisPcmOutput(source.sampleRate, source.channels)
    : ['-af', LOUDNESS_MEASURE_FILTER, '-f', 'null', '-'];
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'level+info',
    '-y',
    ...inputArgs(input, demuxer),
    '-map',
    '0:a:0',
    '-vn',
    '-sn',
    '-dn',
    '-t',
    String(maxDurationSeconds),
    '-progress',
    'pipe:1',
    '-nostats',
    ...output,
  ];
}

/**
 * Pass 2's filter. When one gain reaches the target without pushing true
 * peaks over the ceiling, that gain is all it takes (`volume`: exact,
 * dynamics untouched, cheap). Otherwise loudnorm, fed with pass 1's
 * figures, reaches the target with its true-peak limiter (its "linear"
 * mode falls back to dynamic by itself in that case); it works at 192 kHz,
 * so `aresample` brings the audio back to `sampleRate`.
 */
export function buildNormalizeFilter(
  target: LoudnessTarget,
  measured: LoudnessMeasurement,
  sampleRate: number,
): string {
  const gain = target.integratedLufs - measured.integratedLufs;
  if (measured.truePeakDbtp + gain <= target.truePeakDbtp) return `volume=${fixed(gain)}dB`;
  const lra = clamp(Math.max(TARGET_LRA, Math.ceil(measured.loudnessRangeLu)), BOUNDS.targetLra);
  return (
    [
      `loudnorm=I=${fixed(target.integratedLufs)}`,
      `TP=${fixed(target.truePeakDbtp)}`,
      `LRA=${fixed(lra)}`,
      `measured_I=${fixed(clamp(measured.integratedLufs, BOUNDS.i))}`,
      `measured_TP=${fixed(clamp(measured.truePeakDbtp, BOUNDS.tp))}`,
      `measured_LRA=${fixed(clamp(measured.loudnessRangeLu, BOUNDS.lra))}`,
      `measured_thresh=${fixed(clamp(measured.thresholdLufs, BOUNDS.thresh))}`,
      `offset=${fixed(clamp(measured.targetOffsetLu, BOUNDS.offset))}`,
      'linear=true',
      'print_format=none',
    ].join(':') + `,aresample=${sampleRate}`
  );
}

/** ebur128's floor: a track whose integrated loudness is this low is silence. */
const SILENCE_LUFS = -70;

/**
 * Reads the last ebur128 summary in an ffmpeg stderr tail. Null when there
 * is none, or for silence (nothing above the -70 LUFS gate: there is no
 * loudness to report or normalise). ebur128 prints one decimal, enough for
 * a 0.5 LU tolerance; loudnorm needs no offset with figures this exact.
 */
export function parseEbur128Summary(stderr: string): LoudnessMeasurement | null {
  const at = stderr.lastIndexOf('Summary:');
  if (at < 0) return null;
  const summary = stderr.slice(at);
  const integrated = figure(summary, /Integrated loudness:\s+I:\s+(\S+) LUFS\s+Threshold:\s+(\S+) LUFS/);
  const range = figure(summary, /Loudness range:\s+LRA:\s+(\S+) LU/);
  const peak = figure(summary, /True peak:\s+(?:\[[^\]]*\]\s+)*Peak:\s+(\S+) dBFS/);
  if (!integrated || !range || !peak) return null;
  const [integratedLufs, thresholdLufs] = integrated;
  const [loudnessRangeLu] = range;
  const [truePeakDbtp] = peak;
  if (
    integratedLufs === undefined ||
    thresholdLufs === undefined ||
    loudnessRangeLu === undefined ||
    truePeakDbtp === undefined ||
    integratedLufs <= SILENCE_LUFS
  ) {
    return null;
  }
  return { integratedLufs, loudnessRangeLu, truePeakDbtp, thresholdLufs, targetOffsetLu: 0 };
}

/** The numbers a pattern captures, or null if it does not match or one is not finite ("-inf", "nan"). */
function figure(text: string, pattern: RegExp): number[] | null {
  const match = pattern.exec(text);
  if (!match) return null;
  const values = match.slice(1).map(Number);
  return values.every(Number.isFinite) ? values : null;
}

function clamp(value: number, [min, max]: readonly [number, number]): number {
  return Math.min(max, Math.max(min, value));
}

function fixed(value: number): string {
  return value.toFixed(2);
}
