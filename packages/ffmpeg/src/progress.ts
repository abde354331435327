/**
 * Reads ffmpeg's `-progress pipe:1` output (blocks of `key=value` lines,
 * each ending with `progress=continue|end`) and turns it into a percentage.
 * Line-fed, so it is unit-tested on text.
 *
 * The share of the source read (`readFraction`, see InputReadTracker) is
 * the measure when it is known: a header can under- or over-state the
 * length, the bytes cannot. The output time against the probed duration
 * is the fallback.
 */
export class ProgressParser {
  private outTimeUs = 0;
  private best = 0;

  constructor(
    private readonly durationSeconds: number,
    private readonly readFraction: () => number | null = () => null,
  ) {}

  /** Feeds one line; returns the percentage when a block completes. */
  push(line: string): number | null {
    const eq = line.indexOf('=');
    if (eq < 0) return null;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    // `out_time_ms` is in microseconds too (an old ffmpeg naming bug);
    // `out_time_us` is preferred where present.
    if (key === 'out_time_us' || key === 'out_time_ms') {
      const us = Number(value);
      if (Number.isFinite(us) && us >= 0) this.outTimeUs = Math.max(this.outTimeUs, us);
      return null;
    }
    if (key === 'progress') {
      return this.percent();
    }
    return null;
  }

  /**
   * 0-99.9 while running: 100 is kept for "published", which happens only
   * after ffmpeg exits and the output is renamed into place.
   */
  percent(): number {
    const read = this.readFraction();
    const raw =
      read !== null ? read * 100 : this.durationSeconds > 0 ? (this.outTimeUs / 1e6 / this.durationSeconds) * 100 : 0;
    // Never backwards, whichever measure gave the last value.
    this.best = Math.max(this.best, Math.min(99.9, Math.max(0, raw)));
    return Math.round(this.best * 10) / 10;
  }
}

/**
 * Calls `emit` at most once per `intervalMs` (the last value in a burst
 * is sent when the interval ends), so progress reaches Redis ≤ 4×/s.
 */
export function throttle(emit: (value: number) => void, intervalMs: number, now: () => number = Date.now) {
  let last = -Infinity;
  let pending: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    timer = null;
    if (pending === null) return;
    last = now();
    const value = pending;
    pending = null;
    emit(value);
  };
  return {
    push(value: number): void {
      pending = value;
      if (timer) return;
      const wait = last + intervalMs - now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    },
    /** Drops anything pending (the job has moved on). */
    cancel(): void {
      if (timer) clearTimeout(timer);
      timer = null;
      pending = null;
    },
  };
}
