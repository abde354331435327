/**
 * True peak as ITU-R BS.1770-4 Annex 2 defines it: 4× oversampling with
 * the Annex's 48-tap interpolator, then the largest absolute value.
 *
 * Interpolating every sample costs 48 multiply-adds per sample. Most of
 * that work cannot change the answer: an interpolated value is a weighted
 * sum of 12 neighbours, so it is at most (sum of |taps| of its phase) ×
 * the largest |neighbour|. Blocks whose bound does not beat the peak found
 * so far are skipped; the rest are interpolated exactly. The result is
 * the same number full interpolation gives; only the time depends on the
 * material (loud, limited masters skip less).
 */

/** The Annex's four phases of 12 taps (phases 2 and 3 are 1 and 0 reversed). */
const PHASES: readonly (readonly number[])[] = [
  [
    0.001708984375, 0.010986328125, -0.0196533203125, 0.033203125, -0.0594482421875, 0.1373291015625, 0.97216796875,
    -0.102294921875, 0.047607421875, -0.026611328125, 0.014892578125, -0.00830078125,
  ],
  [
    -0.0291748046875, 0.029296875, -0.0517578125, 0.089111328125, -0.16650390625, 0.465087890625, 0.77978515625,
    -0.2003173828125, 0.1015625, -0.0582275390625, 0.0330810546875, -0.0189208984375,
  ],
];
const TAPS = 12;
/** Samples before the current one that an interpolated value reads. */
export const TRUE_PEAK_HISTORY = TAPS - 1;

/** Flat Float64Array of all four phases, tap k of phase p at p * TAPS + k. */
const FILTER = new Float64Array(4 * TAPS);
PHASES.forEach((taps, p) =>
  taps.forEach((tap, k) => {
    FILTER[p * TAPS + k] = tap;
    FILTER[(3 - p) * TAPS + (TAPS - 1 - k)] = tap;
  }),
);

/** The largest gain any phase can give a signal bounded by 1. */
const GAIN = Math.max(
  ...[0, 1, 2, 3].map((p) => FILTER.subarray(p * TAPS, (p + 1) * TAPS).reduce((sum, tap) => sum + Math.abs(tap), 0)),
);

/**
 * A second, tighter bound for smooth signals. Phase p's value lies
 * (2p + 1)/8 of the way from the sample under tap 6 to the one under tap 5
 * (the 48-tap filter's delay is 5.875 samples); take away
 * the straight line between those two and what is left is a filter that
 * (up to a two-tap remainder) is a filter of second differences. So
 * |value| ≤ (1 + REMAINDER) × max|x| + CURVATURE × max|second difference|,
 * which for a tone or bass-heavy music is barely above the sample peak.
 */
const { curvature: CURVATURE, remainder: REMAINDER } = secondDifferenceBound();

function secondDifferenceBound(): { curvature: number; remainder: number } {
  let curvature = 0;
  let remainder = 0;
  for (let p = 0; p < 4; p++) {
    // d(z) = h_p(z) - line(z), z^k standing for x[n-k].
    const d = Array.from(FILTER.subarray(p * TAPS, (p + 1) * TAPS));
    // Where the phase sits: the line through x[n-6] and x[n-5] with the same first moment.
    const along = 6 - d.reduce((sum, tap, k) => sum + k * tap, 0);
    d[6] = (d[6] ?? 0) - (1 - along);
    d[5] = (d[5] ?? 0) - along;
    // Long division by (1 - z)^2 = 1 - 2z + z^2, highest power first.
    let g = 0;
    for (let k = TAPS - 1; k >= 2; k--) {
      const q = d[k] ?? 0;
      g += Math.abs(q);
      d[k] = 0;
      d[k - 1] = (d[k - 1] ?? 0) + 2 * q;
      d[k - 2] = (d[k - 2] ?? 0) - q;
    }
    curvature = Math.max(curvature, g);
    // |line| ≤ (|1 - along| + |along|) max|x|; the remainder adds its own two taps.
    remainder = Math.max(
      remainder,
      Math.abs(1 - along) + Math.abs(along) - 1 + Math.abs(d[0] ?? 0) + Math.abs(d[1] ?? 0),
    );
  }
  return { curvature, remainder };
}

/** Frames judged together: small enough that one loud sample does not pull in many quiet ones. */
const BLOCK = 16;

/**
 * Measures one or more channels; their true peak is the largest of any.
 * Each call's plane must hold TRUE_PEAK_HISTORY samples of the previous
 * call (zeros at first) before the new ones.
 */
export class TruePeakMeter {
  private peak = 0;
  /** Blocks interpolated and skipped, for the bench and the tests. */
  interpolatedBlocks = 0;
  skippedBlocks = 0;

  /** `plane[TRUE_PEAK_HISTORY ..< TRUE_PEAK_HISTORY + frames]` are new samples. */
  push(plane: Float32Array, frames: number): void {
    const end = TRUE_PEAK_HISTORY + frames;
    // The history's largest value and second difference cover the taps a
    // block reads before its start.
    let previousMax = 0;
    let previousCurve = 0;
    for (let i = 0; i < TRUE_PEAK_HISTORY; i++) {
      previousMax = Math.max(previousMax, Math.abs(plane[i] ?? 0));
      if (i >= 2) previousCurve = Math.max(previousCurve, Math.abs(secondDifference(plane, i)));
    }
    for (let start = TRUE_PEAK_HISTORY; start < end; start += BLOCK) {
      const stop = start + BLOCK < end ? start + BLOCK : end;
      let max = 0;
      let curve = 0;
      let before = plane[start - 2] ?? 0;
      let last = plane[start - 1] ?? 0;
      for (let i = start; i < stop; i++) {
        const value = plane[i] ?? 0;
        const magnitude = value < 0 ? -value : value;
        if (magnitude > max) max = magnitude;
        const bend = value - 2 * last + before;
        if (bend > curve) curve = bend;
        else if (-bend > curve) curve = -bend;
        before = last;
        last = value;
      }
      // Sample values count as peaks too (phase 0 is close to, not exactly, the identity).
      if (max > this.peak) this.peak = max;
      const m = max > previousMax ? max : previousMax;
      const smooth = (1 + REMAINDER) * m + CURVATURE * (curve > previousCurve ? curve : previousCurve);
      const bound = smooth < GAIN * m ? smooth : GAIN * m;
      if (bound > this.peak) {
        this.interpolate(plane, start, stop);
        this.interpolatedBlocks++;
      } else {
        this.skippedBlocks++;
      }
      // Blocks are longer than the history, so the previous block covers it.
      previousMax = max;
      previousCurve = curve;
    }
  }

  /** Linear true peak so far (1 = 0 dBTP). */
  value(): number {
    return this.peak;
  }

  /**
   * The 48 multiply-adds of one sample, unrolled over a sliding window of
   * locals (5× faster than loops over the table). Hot loops here compare
   * signs rather than call Math.abs: under jest's module sandbox a Math
   * call is not inlined and costs ~100 ns.
   */
  private interpolate(plane: Float32Array, start: number, stop: number): void {
    let peak = this.peak;
    // x0 is the newest sample an output reads, x11 the oldest.
    let x1 = plane[start - 1] ?? 0;
    let x2 = plane[start - 2] ?? 0;
    let x3 = plane[start - 3] ?? 0;
    let x4 = plane[start - 4] ?? 0;
    let x5 = plane[start - 5] ?? 0;
    let x6 = plane[start - 6] ?? 0;
    let x7 = plane[start - 7] ?? 0;
    let x8 = plane[start - 8] ?? 0;
    let x9 = plane[start - 9] ?? 0;
    let x10 = plane[start - 10] ?? 0;
    let x11 = plane[start - 11] ?? 0;
    for (let n = start; n < stop; n++) {
      const x0 = plane[n] ?? 0;
      const y0 =
        0.001708984375 * x0 +
        0.010986328125 * x1 -
        0.0196533203125 * x2 +
        0.033203125 * x3 -
        0.0594482421875 * x4 +
        0.1373291015625 * x5 +
        0.97216796875 * x6 -
        0.102294921875 * x7 +
        0.047607421875 * x8 -
        0.026611328125 * x9 +
        0.014892578125 * x10 -
        0.00830078125 * x11;
      const y1 =
        -0.0291748046875 * x0 +
        0.029296875 * x1 -
        0.0517578125 * x2 +
        0.089111328125 * x3 -
        0.16650390625 * x4 +
        0.465087890625 * x5 +
        0.77978515625 * x6 -
        0.2003173828125 * x7 +
        0.1015625 * x8 -
        0.0582275390625 * x9 +
        0.0330810546875 * x10 -
        0.0189208984375 * x11;
      const y2 =
        -0.0189208984375 * x0 +
        0.0330810546875 * x1 -
        0.0582275390625 * x2 +
        0.1015625 * x3 -
        0.2003173828125 * x4 +
        0.77978515625 * x5 +
        0.465087890625 * x6 -
        0.16650390625 * x7 +
        0.089111328125 * x8 -
        0.0517578125 * x9 +
        0.029296875 * x10 -
        0.0291748046875 * x11;
      const y3 =
        -0.00830078125 * x0 +
        0.014892578125 * x1 -
        0.026611328125 * x2 +
        0.047607421875 * x3 -
        0.102294921875 * x4 +
        0.97216796875 * x5 +
        0.1373291015625 * x6 -
        0.0594482421875 * x7 +
        0.033203125 * x8 -
        0.0196533203125 * x9 +
        0.010986328125 * x10 +
        0.001708984375 * x11;
      if (y0 > peak) peak = y0;
      else if (-y0 > peak) peak = -y0;
      if (y1 > peak) peak = y1;
      else if (-y1 > peak) peak = -y1;
      if (y2 > peak) peak = y2;
      else if (-y2 > peak) peak = -y2;
      if (y3 > peak) peak = y3;
      else if (-y3 > peak) peak = -y3;
      x11 = x10;
      x10 = x9;
      x9 = x8;
      x8 = x7;
      x7 = x6;
      x6 = x5;
      x5 = x4;
      x4 = x3;
      x3 = x2;
      x2 = x1;
      x1 = x0;
    }
    this.peak = peak;
  }
}

function secondDifference(plane: Float32Array, i: number): number {
  return (plane[i] ?? 0) - 2 * (plane[i - 1] ?? 0) + (plane[i - 2] ?? 0);
}

/** dBTP of a linear peak (-Infinity for silence). */
export function toDbtp(linear: number): number {
  return 20 * Math.log10(linear);
}
