import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BenchContext, Figure, FigureRow } from '../support/figure';
import { round } from '../support/stats';

interface LadderFigures {
  readonly ladderSeconds: number;
  readonly singleSeconds: number;
  readonly ratio: number;
}

/**
 * The 3-rung AAC ladder against one rung. The measurement itself lives in
 * bench/ladder.ts (owned with the ladder feature) and exports
 * `runLadderBench()`; until that file exists the row says so.
 */
export const ladder: Figure = {
  id: 'ladder',
  title: 'ladder',
  async run(ctx: BenchContext): Promise<FigureRow> {
    const base = path.join(__dirname, '..', 'ladder');
    const file = ['.ts', '.js'].map((ext) => base + ext).find((candidate) => existsSync(candidate));
    const row = { id: this.id, figure: 'ladder (3 AAC rungs vs 1)', target: '≤ 1.6×' };
    if (!file) {
      ctx.log('  ladder: not available');
      return { ...row, measured: 'ladder: not available', baseline: '—', ratio: null, pass: null, details: {} };
    }
    // Loaded at run time: the file may not exist (yet) in this checkout.
    const loaded: unknown = await import(file);
    const run: unknown =
      typeof loaded === 'object' && loaded !== null ? Reflect.get(loaded, 'runLadderBench') : undefined;
    if (!isFunction(run)) throw new Error(`${file} does not export runLadderBench()`);
    const result: unknown = await run();
    if (!isLadderFigures(result)) throw new Error(`runLadderBench() returned ${JSON.stringify(result)}`);
    return {
      ...row,
      measured: `${round(result.ladderSeconds)} s (3 rungs, one pass)`,
      baseline: `${round(result.singleSeconds)} s (1 rung)`,
      ratio: round(result.ratio, 3),
      pass: result.ratio <= 1.6,
      details: { ...result },
    };
  },
};

function isFunction(value: unknown): value is () => unknown {
  return typeof value === 'function';
}

function isLadderFigures(value: unknown): value is LadderFigures {
  if (typeof value !== 'object' || value === null) return false;
  return ['ladderSeconds', 'singleSeconds', 'ratio'].every((key) => typeof Reflect.get(value, key) === 'number');
}
