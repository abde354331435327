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

/** The PCM the waveform branch of the encode writes: mono s16le. */
export const WAVEFORM_PCM_FORMAT = 's16le';

/**
 * Folds a stream of mono s16le PCM into min/max pairs as it arrives, so the
 * decoded audio is never held in memory: only the pairs are (2 bytes per
 * `samplesPerPixel` samples). Chunks may split a sample; the odd byte is
 * carried over. Pure apart from its own state.
 */
export class WaveformFolder {
  private pairs: Int8Array = new Int8Array(1024);
  private length = 0;
  private inPixel = 0;
  private min = 0;
  private max = 0;
  private carry: number | null = null;

  constructor(readonly samplesPerPixel: number) {
    if (!Number.isInteger(samplesPerPixel) || samplesPerPixel < 1)
      throw new Error(`bad samples per pixel: ${samplesPerPixel}`);
  }

  push(chunk: Uint8Array): void {
    let offset = 0;
    if (this.carry !== null && chunk.length > 0) {
      this.sample(toInt16(this.carry, chunk[0] ?? 0));
      this.carry = null;
      offset = 1;
    }
    const end = chunk.length - ((chunk.length - offset) % 2);
    for (let i = offset; i < end; i += 2) {
      this.sample(toInt16(chunk[i] ?? 0, chunk[i + 1] ?? 0));
    }
    if (end < chunk.length) this.carry = chunk[end] ?? 0;
  }

  /** The pairs so far, plus a last partial pixel (audiowaveform keeps it too). */
  finish(): Int8Array {
    if (this.inPixel > 0) this.emit();
    return this.pairs.slice(0, this.length * 2);
  }

  private sample(value: number): void {
    if (this.inPixel === 0) {
      this.min = value;
      this.max = value;
    } else if (value < this.min) {
      this.min = value;
    } else if (value > this.max) {
      this.max = value;
    }
    this.inPixel += 1;
    if (this.inPixel === this.samplesPerPixel) this.emit();
  }

  private emit(): void {
    if ((this.length + 1) * 2 > this.pairs.length) {
      const grown = new Int8Array(this.pairs.length * 2);
      grown.set(this.pairs);
      this.pairs = grown;
    }
    // 16 → 8 bits as audiowaveform does: keep the high byte.
    this.pairs[this.length * 2] = this.min >> 8;
    this.pairs[this.length * 2 + 1] = this.max >> 8;
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

/**
 * The filter that turns the (possibly multichannel) audio into the mono
 * PCM the folder reads: the mean of all channels, as audiowaveform mixes.
 */
export function waveformMixFilter(channels: number): string {
  const count = Math.max(1, Math.floor(channels));
  const gain = (1 / count).toFixed(6);
  const terms = Array.from({ length: count }, (_unused, index) => (count === 1 ? 'c0' : `${gain}*c${index}`));
  return `pan=mono|c0=${terms.join('+')},aformat=sample_fmts=s16`;
}

function toInt16(low: number, high: number): number {
  const value = low | (high << 8);
  return value >= 0x8000 ? value - 0x10000 : value;
}
