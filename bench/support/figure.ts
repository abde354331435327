/** One row of the bench table (and of the JSON results). */
export interface FigureRow {
  readonly id: string;
  readonly figure: string;
  /** Human-readable measured value, e.g. "5.91 s" or "p50 2.1 ms / p99 6.3 ms". */
  readonly measured: string;
  readonly baseline: string;
  /** measured ÷ baseline (or the figure's own ratio); null when not applicable. */
  readonly ratio: number | null;
  readonly target: string;
  /** null: not measured (e.g. the ladder does not exist yet). */
  readonly pass: boolean | null;
  /** Raw numbers: every sample, so a reader can judge the noise. */
  readonly details: Readonly<Record<string, unknown>>;
}

export interface BenchContext {
  readonly quick: boolean;
  /** Private temp dir for generated media (deleted at the end). */
  readonly tmpDir: string;
  log(message: string): void;
}

export interface Figure {
  readonly id: string;
  readonly title: string;
  run(ctx: BenchContext): Promise<FigureRow>;
}
