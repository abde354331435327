/**
 * The waveform of BBC audiowaveform's JSON format, version 2, which
 * waveform-data.js, peaks.js and wavesurfer.js read: one channel, 8-bit
 * min/max pairs, one pair per `samples_per_pixel` input samples.
 */
export interface WaveformJson {
  readonly version: 2;
  readonly channels: 1;
  readonly sample_rate: number;
  readonly samples_per_pixel: number;
  readonly bits: 8;
  /** Number of min/max pairs (`data` holds twice as many numbers). */
  readonly length: number;
  readonly data: number[];
}

/**
 * Folds mono samples into min/max pairs as they arrive, so the decoded
 * audio is never held in memory: only the pairs are (2 bytes per
 * `samplesPerPixel` samples). Pure apart from its own state.
 */
export class WaveformFolder {
  private pairs: Int8Array = new Int8Array(1024);
  private length = 0;
  private inPixel = 0;
  private min = 0;
  private max = 0;

  constructor(readonly samplesPerPixel: number) {
    if (!Number.isInteger(samplesPerPixel) || samplesPerPixel < 1)
      throw new Error(`bad samples per pixel: ${samplesPerPixel}`);
  }

  /** The pairs so far, plus a last partial pixel (audiowaveform keeps it too). */
  finish(): Int8Array {
    if (this.inPixel > 0) this.emit();
    return this.pairs.slice(0, this.length * 2);
  }

  /**
   * Folds mono float samples (1 = full scale). The pairs are those of the
   * s16 samples the s16 pipe gave before (rounded, clipped), and
   * since that conversion never reorders two samples, the min and max are
   * taken on the floats and only they are converted.
   */
  pushFloat(samples: Float32Array, from: number, count: number): void {
    const end = from + count;
    let i = from;
    while (i < end) {
      const stop = Math.min(end, i + this.samplesPerPixel - this.inPixel);
      let min = this.inPixel === 0 ? Infinity : this.min;
      let max = this.inPixel === 0 ? -Infinity : this.max;
      this.inPixel += stop - i;
      for (; i < stop; i++) {
        const value = samples[i] ?? 0;
        if (value < min) min = value;
        if (value > max) max = value;
      }
      this.min = min;
      this.max = max;
      if (this.inPixel === this.samplesPerPixel) this.emit();
    }
  }

  private emit(): void {
    if ((this.length + 1) * 2 > this.pairs.length) {
      const grown = new Int8Array(this.pairs.length * 2);
      grown.set(this.pairs);
      this.pairs = grown;
    }
    // 16 → 8 bits as audiowaveform does: keep the high byte.
    this.pairs[this.length * 2] = toS16(this.min) >> 8;
    this.pairs[this.length * 2 + 1] = toS16(this.max) >> 8;
    this.length += 1;
    this.inPixel = 0;
  }
}

/** The JSON document for folded pairs. */
export function waveformJson(sampleRate: number, samplesPerPixel: number, pairs: Int8Array): WaveformJson {
  return {
    version: 2,
    channels: 1,
    sample_rate: sampleRate,
    samples_per_pixel: samplesPerPixel,
    bits: 8,
    length: pairs.length / 2,
    data: Array.from(pairs),
  };
}

/** Float → s16 as the old s16 pipe gave it (ties rounded up, overs clipped). */
function toS16(value: number): number {
  const scaled = Math.floor(value * 32768 + 0.5);
  return scaled > 32767 ? 32767 : scaled < -32768 ? -32768 : scaled;
}
