import path from 'node:path';
import type { BenchContext, Figure, FigureRow } from '../support/figure';
import { submit, waitCompleted } from '../support/client';
import { makeWav } from '../support/media';
import { freePort, startChild, waitForHttp } from '../support/processes';
import { startStack } from '../support/stack';
import { median, pairedRatio, round } from '../support/stats';
import { wrk } from '../support/wrk';

/**
 * `GET /v1/stream/job/{id}` of a finished job, keep-alive, 64 connections,
 * against a bare Express "hello" route in its own process. Alternated;
 * the ratio is the median of the per-pair ratios.
 */
export const statusReads: Figure = {
  id: 'status',
  title: 'status reads',
  async run(ctx: BenchContext): Promise<FigureRow> {
    const rounds = ctx.quick ? 1 : 5;
    const seconds = ctx.quick ? 3 : 4;
    const clip = await makeWav(ctx.tmpDir, 'status-clip', 2);
    const stack = await startStack('status', { workers: 1 });
    const helloPort = await freePort();
    const baseline = startChild('hello', process.execPath, [
      path.join(__dirname, '../support/hello-server.js'),
      String(helloPort),
    ]);
    try {
      await waitForHttp(`http://127.0.0.1:${helloPort}/hello`, baseline);
      const jobId = await submit(stack.baseUrl, clip);
      await waitCompleted(stack.baseUrl, jobId, 50);
      const jobUrl = `${stack.baseUrl}/v1/stream/job/${jobId}`;
      const helloUrl = `http://127.0.0.1:${helloPort}/hello`;
      await wrk({ url: helloUrl, seconds: 1 });
      await wrk({ url: jobUrl, seconds: 1 });
      const api: number[] = [];
      const base: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const h = await wrk({ url: helloUrl, seconds });
        const a = await wrk({ url: jobUrl, seconds });
        if (h.errors > 0 || a.errors > 0) throw new Error(`wrk saw errors (hello ${h.errors}, api ${a.errors})`);
        base.push(h.requestsPerSecond);
        api.push(a.requestsPerSecond);
        ctx.log(
          `  round ${i + 1}: hello ${round(h.requestsPerSecond, 0)} req/s, job ${round(a.requestsPerSecond, 0)} req/s`,
        );
      }
      const ratio = pairedRatio(api, base);
      return {
        id: this.id,
        figure: 'status reads (GET job, wrk -c64)',
        measured: `${round(median(api), 0)} req/s`,
        baseline: `${round(median(base), 0)} req/s (bare Express)`,
        ratio: round(ratio, 3),
        target: '≥ 0.5× bare Express',
        pass: ratio >= 0.5,
        details: { apiRps: api, helloRps: base, seconds },
      };
    } finally {
      await baseline.stop();
      await stack.stop();
    }
  },
};
