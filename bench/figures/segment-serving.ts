import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import type { BenchContext, Figure, FigureRow } from '../support/figure';
import { submit, waitCompleted } from '../support/client';
import { makeWav } from '../support/media';
import { startNginx } from '../support/nginx';
import { startStack } from '../support/stack';
import { alternateWithNginx, type SegmentRounds } from '../support/segment-rounds';
import { median, pairedRatio, round } from '../support/stats';

/**
 * GETs of a finished job's segments, keep-alive, 64 connections, rotating
 * over every segment, against nginx serving the same folder at the same
 * paths. The API runs in its default configuration (rate limits and `info`
 * logging as shipped). Runs alternate (nginx, API, nginx, API…) with the
 * same wrk settings; the ratio is the median of the per-pair ratios.
 */
export const segmentServing: Figure = {
  id: 'segments',
  title: 'segment serving',
  async run(ctx: BenchContext): Promise<FigureRow> {
    const clip = await makeWav(ctx.tmpDir, 'segments-clip', 120);
    // The API as shipped: no env var turns its rate limits or logging off.
    const stack = await startStack('segments', { workers: 1, defaults: true });
    try {
      const jobId = await submit(stack.baseUrl, clip, { codec: 'aac', quality_profile: 'high' });
      const job = await waitCompleted(stack.baseUrl, jobId, 50);
      const manifest = await (await fetch(`${stack.baseUrl}${job.manifest_url ?? ''}`)).text();
      const paths = manifest
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('#'))
        .map((name) => `/v1/stream/hls/${jobId}/${name}`);
      if (paths.length === 0) throw new Error('the playlist names no segment');
      const nginx = await startNginx(await mkdtemp(path.join(ctx.tmpDir, 'nginx-')), stack.storageDir, paths[0] ?? '/');
      let rounds: SegmentRounds;
      try {
        rounds = await alternateWithNginx(ctx, stack.baseUrl, nginx.baseUrl, paths);
      } finally {
        await nginx.child.stop();
      }
      const { apiRps: api, nginxRps: base, seconds } = rounds;
      const ratio = pairedRatio(api, base);
      return {
        id: this.id,
        figure: `segment serving (${paths.length} segments, wrk -c64)`,
        measured: `${round(median(api), 0)} req/s`,
        baseline: `${round(median(base), 0)} req/s (nginx)`,
        ratio: round(ratio, 3),
        target: '≥ 0.8× nginx',
        pass: ratio >= 0.8,
        details: { apiRps: api, nginxRps: base, segments: paths.length, seconds },
      };
    } finally {
      await stack.stop();
    }
  },
};
