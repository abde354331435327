import type { BenchContext, Figure, FigureRow } from '../support/figure';
import { benchBinaries, makeWav } from '../support/media';
import { submitWithCurl as submit, waitCompleted } from '../support/client';
import { startStack } from '../support/stack';
import { median, pairedRatio, round } from '../support/stats';
import { timeFfmpeg } from './job-overhead';

const LADDER = { renditions: 'low,medium,high', codec: 'aac' } as const;
/** The ladder's top rung (`high` AAC), which the baseline encodes alone. */
const TOP_BITRATE = '256000';
const SEGMENT_SECONDS = 6; // HLS_SEGMENT_SECONDS default, as the stack runs
const TARGET = 1.4;

/**
 * A 3-rung AAC ladder (low, medium, high) as a whole job on a fleet of two
 * worker processes in their default configuration (upload → probe → flow
 * of two parts on both workers → publish → seen `Completed` by a client
 * polling every 100 ms), against ONE plain ffmpeg encode of the top rung
 * alone, as someone would type it. Runs alternate (baseline, ladder, …);
 * the ratio is the median of the per-pair ratios. The CPU work of the three
 * rungs is about 2.1× the top rung's, so on two cores 1.05× is the floor.
 */
export const ladder: Figure = {
  id: 'ladder',
  title: 'ladder',
  async run(ctx: BenchContext): Promise<FigureRow> {
    const seconds = ctx.quick ? 120 : 300;
    const rounds = ctx.quick ? 2 : 3;
    const source = await makeWav(ctx.tmpDir, `ladder-${seconds}s`, seconds);
    const { ffmpeg } = await benchBinaries();
    const argv = plainTopRung(source);
    const stack = await startStack('ladder', { workers: 2 });
    try {
      // One unmeasured ladder warms the page cache and every process's JIT.
      await waitCompleted(stack.baseUrl, await submit(stack.baseUrl, source, LADDER));
      const bare: number[] = [];
      const whole: number[] = [];
      for (let i = 0; i < rounds; i++) {
        bare.push(await timeFfmpeg(ffmpeg, argv, ctx.tmpDir));
        const start = performance.now();
        await waitCompleted(stack.baseUrl, await submit(stack.baseUrl, source, LADDER), 100);
        whole.push(performance.now() - start);
        ctx.log(`  round ${i + 1}: top rung ${round(bare[i] ?? 0, 0)} ms, ladder job ${round(whole[i] ?? 0, 0)} ms`);
      }
      const ratio = pairedRatio(whole, bare);
      return {
        id: this.id,
        figure: `ladder (3 AAC rungs, 2 workers, vs 1 rung)`,
        measured: `${round(median(whole) / 1000)} s (3-rung job, 2 workers)`,
        baseline: `${round(median(bare) / 1000)} s (plain ffmpeg, top rung)`,
        ratio: round(ratio, 3),
        target: `≤ ${TARGET}×`,
        pass: ratio <= TARGET,
        details: { audioSeconds: seconds, bareMs: bare, ladderJobMs: whole, ffmpeg, argv },
      };
    } finally {
      await stack.stop();
    }
  },
};

/** The top rung as plain ffmpeg writes it: same codec, bitrate and segment length, nothing of ours. */
function plainTopRung(source: string): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-i',
    source,
    '-vn',
    '-c:a',
    'aac',
    '-b:a',
    TOP_BITRATE,
    '-f',
    'hls',
    '-hls_time',
    String(SEGMENT_SECONDS),
    '-hls_playlist_type',
    'vod',
    '-hls_segment_filename',
    'segment_%05d.ts',
    'index.m3u8',
  ];
}
