import type { LoudnessMeasurement } from './loudness';
import { LoudnessMeter } from './loudness-meter';
import { toDbtp, TRUE_PEAK_HISTORY, TruePeakMeter } from './true-peak';
import { WaveformFolder } from './waveform';

export interface AnalyzerOptions {
  readonly sampleRate: number;
  readonly channels: number;
  /** Fold a waveform with this resolution, or null for none. */
  readonly samplesPerPixel: number | null;
  /** Measure loudness and true peak (see metersInProcess in argv-parts). */
  readonly loudness: boolean;
}

export interface AnalysisResult {
  /** Null for silence, or when loudness was not measured here. */
  readonly loudness: LoudnessMeasurement | null;
  /** Waveform min/max pairs, or null when none was folded. */
  readonly waveform: Int8Array | null;
}

/**
 * Reads the analysis pipe (interleaved f32le, chunks cut anywhere) and
 * measures loudness, true peak and the waveform in one pass over it. Runs
 * on the worker's thread while ffmpeg encodes on its own, so on a machine
 * with a free core it costs the job no time.
 */
export class PcmAnalyzer {
  private readonly frameBytes: number;
  private readonly meter: LoudnessMeter | null;
  private readonly peaks: TruePeakMeter | null;
  private readonly folder: WaveformFolder | null;
  /** Bytes of a frame split across chunks. */
  private carry: Uint8Array;
  private carryBytes = 0;
  /** Aligned copy of a chunk's whole frames, when it cannot be read in place. */
  private interleaved = new Float32Array(0);
  /** Per channel: TRUE_PEAK_HISTORY samples of the last chunk, then this chunk's. */
  private planes: Float32Array[];
  private mono = new Float32Array(0);
  /** Frames of the last deinterleave (where the next history starts). */
  private lastFrames = 0;
  private readonly gain: number;

  constructor(private readonly options: AnalyzerOptions) {
    const { channels, sampleRate } = options;
    if (!Number.isInteger(channels) || channels < 1) throw new Error(`bad channel count: ${channels}`);
    this.frameBytes = channels * 4;
    this.carry = new Uint8Array(this.frameBytes);
    this.planes = Array.from({ length: channels }, () => new Float32Array(TRUE_PEAK_HISTORY));
    this.meter = options.loudness ? new LoudnessMeter(sampleRate, channels) : null;
    this.peaks = options.loudness ? new TruePeakMeter() : null;
    this.folder = options.samplesPerPixel === null ? null : new WaveformFolder(options.samplesPerPixel);
    // The mean of the channels, at the gain rounded to 6 decimals that the
    // ffmpeg pan filter used when it mixed the waveform: the same pairs.
    this.gain = Number((1 / channels).toFixed(6));
  }

  push(chunk: Uint8Array): void {
    const channels = this.options.channels;
    const total = this.carryBytes + chunk.length;
    const frames = Math.floor(total / this.frameBytes);
    if (frames === 0) {
      this.carry.set(chunk, this.carryBytes);
      this.carryBytes = total;
      return;
    }
    const wholeBytes = frames * this.frameBytes;
    let samples: Float32Array;
    if (this.carryBytes === 0 && chunk.byteOffset % 4 === 0) {
      // The usual case (pipe reads of 64 KiB into fresh buffers): read the chunk in place.
      samples = new Float32Array(chunk.buffer, chunk.byteOffset, frames * channels);
    } else {
      // A frame split across chunks, or a chunk at an odd address: copy into an aligned buffer.
      if (this.interleaved.length < frames * channels) this.interleaved = new Float32Array(frames * channels * 2);
      const bytes = new Uint8Array(this.interleaved.buffer, 0, wholeBytes);
      bytes.set(this.carry.subarray(0, this.carryBytes));
      bytes.set(chunk.subarray(0, wholeBytes - this.carryBytes), this.carryBytes);
      samples = this.interleaved;
    }
    const used = wholeBytes - this.carryBytes;
    this.carryBytes = chunk.length - used;
    this.carry.set(chunk.subarray(used));
    this.analyse(samples, frames);
  }

  finish(): AnalysisResult {
    // Zeros after the end let the interpolator reach the last samples.
    if (this.peaks) {
      this.deinterleave(new Float32Array(TRUE_PEAK_HISTORY * this.options.channels), TRUE_PEAK_HISTORY);
      for (const plane of this.planes) this.peaks.push(plane, TRUE_PEAK_HISTORY);
    }
    const figures = this.meter?.finish() ?? null;
    const peak = this.peaks?.value() ?? 0;
    const loudness =
      figures && peak > 0
        ? {
            integratedLufs: figures.integratedLufs,
            loudnessRangeLu: figures.loudnessRangeLu,
            truePeakDbtp: toDbtp(peak),
            thresholdLufs: figures.thresholdLufs,
            targetOffsetLu: 0,
          }
        : null;
    return { loudness, waveform: this.folder?.finish() ?? null };
  }

  private analyse(samples: Float32Array, frames: number): void {
    this.deinterleave(samples, frames);
    const planes = this.planes;
    this.meter?.push(planes, TRUE_PEAK_HISTORY, frames);
    if (this.peaks) for (const plane of planes) this.peaks.push(plane, frames);
    if (this.folder) this.folder.pushFloat(this.mix(frames), 0, frames);
  }

  /** Spreads the aligned frames over the planes, after the previous chunk's last samples. */
  private deinterleave(source: Float32Array, frames: number): void {
    const channels = this.options.channels;
    for (let c = 0; c < channels; c++) {
      let plane = this.planes[c] ?? new Float32Array(TRUE_PEAK_HISTORY);
      // Keep the history the interpolation reads: the last samples of the previous call.
      const history = plane.subarray(this.lastFrames, this.lastFrames + TRUE_PEAK_HISTORY);
      if (plane.length < TRUE_PEAK_HISTORY + frames) {
        const grown = new Float32Array((TRUE_PEAK_HISTORY + frames) * 2);
        grown.set(history);
        plane = grown;
        this.planes[c] = plane;
      } else {
        plane.copyWithin(0, this.lastFrames, this.lastFrames + TRUE_PEAK_HISTORY);
      }
      for (let i = 0, j = c; i < frames; i++, j += channels) plane[TRUE_PEAK_HISTORY + i] = source[j] ?? 0;
    }
    this.lastFrames = frames;
  }

  /** The mono mix the waveform folds. */
  private mix(frames: number): Float32Array {
    const planes = this.planes;
    if (planes.length === 1) return (planes[0] ?? this.mono).subarray(TRUE_PEAK_HISTORY);
    if (this.mono.length < frames) this.mono = new Float32Array(frames * 2);
    const mono = this.mono;
    const gain = this.gain;
    mono.fill(0, 0, frames);
    for (const plane of planes) {
      for (let i = 0; i < frames; i++) mono[i] = (mono[i] ?? 0) + gain * (plane[TRUE_PEAK_HISTORY + i] ?? 0);
    }
    return mono;
  }
}
