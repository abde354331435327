/**
 * ITU-R BS.1770-4 loudness and EBU Tech 3342 loudness range, measured on
 * planar float samples as they stream in. Done here rather than with
 * ffmpeg's ebur128 filter because that filter only runs at 48 kHz (a
 * 44.1 kHz source pays for a resampler first) and runs on the encoder's
 * thread; this runs at the source's own rate, as libebur128 does, on the
 * worker's otherwise idle thread. Memory: one number per 100 ms.
 */

/** ebur128's floor: the absolute gate, below which a block is silence. */
const ABSOLUTE_GATE_LUFS = -70;
/** Integrated loudness: blocks this far under the ungated mean are dropped. */
const RELATIVE_GATE_LU = -10;
/** Loudness range: short-term values this far under their mean are dropped. */
const RANGE_RELATIVE_GATE_LU = -20;
/** Momentary block (400 ms) and short-term window (3 s), in 100 ms steps. */
const MOMENTARY_STEPS = 4;
const SHORT_TERM_STEPS = 30;

/** One second-order section, direct form I coefficients (a0 = 1). */
interface Biquad {
  readonly b0: number;
  readonly b1: number;
  readonly b2: number;
  readonly a1: number;
  readonly a2: number;
}

/**
 * The two K-weighting stages for any sample rate (the analogue prototypes
 * of BS.1770's 48 kHz coefficients, as libebur128 derives them).
 */
export function kWeighting(sampleRate: number): readonly [Biquad, Biquad] {
  let k = Math.tan((Math.PI * 1681.974450955533) / sampleRate);
  const vh = 10 ** (3.999843853973347 / 20);
  const vb = vh ** 0.4996667741545416;
  let q = 0.7071752369554196;
  let a0 = 1 + k / q + k * k;
  const shelf = {
    b0: (vh + (vb * k) / q + k * k) / a0,
    b1: (2 * (k * k - vh)) / a0,
    b2: (vh - (vb * k) / q + k * k) / a0,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / q + k * k) / a0,
  };
  k = Math.tan((Math.PI * 38.13547087602444) / sampleRate);
  q = 0.5003270373238773;
  a0 = 1 + k / q + k * k;
  const highPass = { b0: 1, b1: -2, b2: 1, a1: (2 * (k * k - 1)) / a0, a2: (1 - k / q + k * k) / a0 };
  return [shelf, highPass];
}

/** Loudness of a mean (channel-weighted) square, in LUFS. */
function lufs(meanSquare: number): number {
  return -0.691 + 10 * Math.log10(meanSquare);
}

export interface LoudnessFigures {
  readonly integratedLufs: number;
  /** The relative gate the integrated figure used (loudnorm wants it back). */
  readonly thresholdLufs: number;
  readonly loudnessRangeLu: number;
}

/**
 * Streams planar channels through K-weighting into 100 ms energies; the
 * 400 ms blocks and 3 s windows are sums of those (75 % and 97 % overlap,
 * as the standards ask). Channel weights are 1 for mono and stereo; the
 * encode meters layouts with surround channels with ffmpeg instead.
 */
export class LoudnessMeter {
  /** Per channel: x1, x2 of the shelf, y1, y2 of the shelf (= x of the high-pass), y1, y2 of the high-pass. */
  private readonly state: Float64Array;
  private readonly stages: readonly [Biquad, Biquad];
  private readonly stepFrames: number;
  private stepFill = 0;
  private stepSum = 0;
  private steps: Float64Array = new Float64Array(4096);
  private stepCount = 0;

  constructor(
    sampleRate: number,
    private readonly channels: number,
  ) {
    this.stages = kWeighting(sampleRate);
    this.state = new Float64Array(channels * 6);
    // 100 ms, rounded as libebur128 rounds it.
    this.stepFrames = Math.max(1, Math.round(sampleRate / 10));
  }

  /** Feeds `frames` samples of every channel, each read from `planes[c]` starting at `offset`. */
  push(planes: readonly Float32Array[], offset: number, frames: number): void {
    const [left, right] = planes;
    const stereo = this.channels === 2 && left !== undefined && right !== undefined;
    let done = 0;
    while (done < frames) {
      const run = Math.min(frames - done, this.stepFrames - this.stepFill);
      if (stereo) {
        this.filterStereo(left, right, offset + done, run);
      } else {
        for (let c = 0; c < this.channels; c++) {
          const plane = planes[c];
          if (plane) this.stepSum += this.filter(c, plane, offset + done, run);
        }
      }
      done += run;
      this.stepFill += run;
      if (this.stepFill === this.stepFrames) {
        this.addStep(this.stepSum / this.stepFrames);
        this.stepFill = 0;
        this.stepSum = 0;
      }
    }
  }

  /** Integrated loudness, its gate and the loudness range; null when nothing passes the absolute gate. */
  finish(): LoudnessFigures | null {
    const steps = this.steps.subarray(0, this.stepCount);
    const blocks = windows(steps, MOMENTARY_STEPS);
    const audible = blocks.filter((energy) => lufs(energy) > ABSOLUTE_GATE_LUFS);
    if (audible.length === 0) return null;
    const thresholdLufs = lufs(mean(audible)) + RELATIVE_GATE_LU;
    const gated = audible.filter((energy) => lufs(energy) > thresholdLufs);
    const integratedLufs = lufs(mean(gated));
    return { integratedLufs, thresholdLufs, loudnessRangeLu: loudnessRange(windows(steps, SHORT_TERM_STEPS)) };
  }

  /** K-weights one run of one channel and returns the sum of its squares. */
  private filter(channel: number, plane: Float32Array, from: number, count: number): number {
    const s = this.state;
    const at = channel * 6;
    const [shelf, hp] = this.stages;
    const { b0, b1, b2, a1, a2 } = shelf;
    const { a1: c1, a2: c2 } = hp;
    let x1 = s[at] ?? 0;
    let x2 = s[at + 1] ?? 0;
    let y1 = s[at + 2] ?? 0;
    let y2 = s[at + 3] ?? 0;
    let z1 = s[at + 4] ?? 0;
    let z2 = s[at + 5] ?? 0;
    let sum = 0;
    const end = from + count;
    for (let i = from; i < end; i++) {
      const x = plane[i] ?? 0;
      const y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      // High-pass numerator is (1, -2, 1).
      const z = y - 2 * y1 + y2 - c1 * z1 - c2 * z2;
      x2 = x1;
      x1 = x;
      y2 = y1;
      y1 = y;
      z2 = z1;
      z1 = z;
      sum += z * z;
    }
    s[at] = x1;
    s[at + 1] = x2;
    s[at + 2] = y1;
    s[at + 3] = y2;
    // Denormals would slow the filter to a crawl after long silence.
    s[at + 4] = Math.abs(z1) < 1e-30 ? 0 : z1;
    s[at + 5] = Math.abs(z2) < 1e-30 ? 0 : z2;
    return sum;
  }

  /**
   * `filter` of both channels of a stereo run in one loop: each channel's
   * filter waits on its own previous outputs, so two independent chains
   * side by side keep the CPU busy where one leaves it waiting. Adds the
   * sums to the step exactly as two `filter` calls would (left, then right).
   */
  private filterStereo(left: Float32Array, right: Float32Array, from: number, count: number): void {
    const s = this.state;
    const [shelf, hp] = this.stages;
    const { b0, b1, b2, a1, a2 } = shelf;
    const { a1: c1, a2: c2 } = hp;
    let lx1 = s[0] ?? 0;
    let lx2 = s[1] ?? 0;
    let ly1 = s[2] ?? 0;
    let ly2 = s[3] ?? 0;
    let lz1 = s[4] ?? 0;
    let lz2 = s[5] ?? 0;
    let rx1 = s[6] ?? 0;
    let rx2 = s[7] ?? 0;
    let ry1 = s[8] ?? 0;
    let ry2 = s[9] ?? 0;
    let rz1 = s[10] ?? 0;
    let rz2 = s[11] ?? 0;
    let leftSum = 0;
    let rightSum = 0;
    const end = from + count;
    for (let i = from; i < end; i++) {
      const lx = left[i] ?? 0;
      const rx = right[i] ?? 0;
      const ly = b0 * lx + b1 * lx1 + b2 * lx2 - a1 * ly1 - a2 * ly2;
      const ry = b0 * rx + b1 * rx1 + b2 * rx2 - a1 * ry1 - a2 * ry2;
      const lz = ly - 2 * ly1 + ly2 - c1 * lz1 - c2 * lz2;
      const rz = ry - 2 * ry1 + ry2 - c1 * rz1 - c2 * rz2;
      lx2 = lx1;
      lx1 = lx;
      ly2 = ly1;
      ly1 = ly;
      lz2 = lz1;
      lz1 = lz;
      rx2 = rx1;
      rx1 = rx;
      ry2 = ry1;
      ry1 = ry;
      rz2 = rz1;
      rz1 = rz;
      leftSum += lz * lz;
      rightSum += rz * rz;
    }
    s[0] = lx1;
    s[1] = lx2;
    s[2] = ly1;
    s[3] = ly2;
    s[4] = Math.abs(lz1) < 1e-30 ? 0 : lz1;
    s[5] = Math.abs(lz2) < 1e-30 ? 0 : lz2;
    s[6] = rx1;
    s[7] = rx2;
    s[8] = ry1;
    s[9] = ry2;
    s[10] = Math.abs(rz1) < 1e-30 ? 0 : rz1;
    s[11] = Math.abs(rz2) < 1e-30 ? 0 : rz2;
    this.stepSum = this.stepSum + leftSum + rightSum;
  }

  private addStep(energy: number): void {
    if (this.stepCount === this.steps.length) {
      const grown = new Float64Array(this.steps.length * 2);
      grown.set(this.steps);
      this.steps = grown;
    }
    this.steps[this.stepCount++] = energy;
  }
}

/** Mean energy of every window of `size` consecutive 100 ms steps. */
function windows(steps: Float64Array, size: number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < steps.length; i++) {
    sum += steps[i] ?? 0;
    if (i >= size) sum -= steps[i - size] ?? 0;
    if (i >= size - 1) out.push(Math.max(0, sum) / size);
  }
  return out;
}

/** EBU Tech 3342: the spread between the 10th and 95th percentiles of the gated short-term loudness. */
function loudnessRange(shortTerm: readonly number[]): number {
  const audible = shortTerm.filter((energy) => lufs(energy) > ABSOLUTE_GATE_LUFS);
  if (audible.length === 0) return 0;
  const gate = lufs(mean(audible)) + RANGE_RELATIVE_GATE_LU;
  const values = audible
    .map(lufs)
    .filter((value) => value > gate)
    .sort((a, b) => a - b);
  if (values.length === 0) return 0;
  const at = (p: number) => values[Math.round((values.length - 1) * p)] ?? 0;
  return at(0.95) - at(0.1);
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}
