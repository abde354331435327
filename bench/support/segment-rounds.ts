import type { BenchContext } from './figure';
import { round } from './stats';
import { wrk } from './wrk';

export interface SegmentRounds {
  readonly apiRps: number[];
  readonly nginxRps: number[];
  readonly seconds: number;
  /**
   * CPU seconds of the bench's own process during each API round: it only
   * waits for wrk then, so this is the work of any server it hosts (the
   * s3 figures' s3rver answering the API's reads), else about 0.
   */
  readonly benchCpuDuringApi: number[];
}

/**
 * wrk `-c64 -t2` over `paths` against nginx and the API in turn (nginx,
 * API, nginx, API…), after one warm-up second each (JIT, page cache, the
 * API's segment cache): 5 rounds of 4 s, or 1 of 3 s with --quick. A
 * round in which either side saw an error fails the figure.
 */
export async function alternateWithNginx(
  ctx: BenchContext,
  apiUrl: string,
  nginxUrl: string,
  paths: readonly string[],
): Promise<SegmentRounds> {
  const rounds = ctx.quick ? 1 : 5;
  const seconds = ctx.quick ? 3 : 4;
  const scriptDir = ctx.tmpDir;
  const apiRps: number[] = [];
  const nginxRps: number[] = [];
  const benchCpuDuringApi: number[] = [];
  await wrk({ url: nginxUrl, paths, seconds: 1, scriptDir });
  await wrk({ url: apiUrl, paths, seconds: 1, scriptDir });
  for (let i = 0; i < rounds; i++) {
    const n = await wrk({ url: nginxUrl, paths, seconds, scriptDir });
    const before = process.cpuUsage();
    const a = await wrk({ url: apiUrl, paths, seconds, scriptDir });
    const used = process.cpuUsage(before);
    benchCpuDuringApi.push(round((used.user + used.system) / 1e6, 2));
    if (n.errors > 0 || a.errors > 0) {
      throw new Error(`wrk saw errors (nginx ${n.errors}: ${n.errorKinds}; api ${a.errors}: ${a.errorKinds})`);
    }
    nginxRps.push(n.requestsPerSecond);
    apiRps.push(a.requestsPerSecond);
    ctx.log(
      `  round ${i + 1}: nginx ${round(n.requestsPerSecond, 0)} req/s, api ${round(a.requestsPerSecond, 0)} req/s`,
    );
  }
  return { apiRps, nginxRps, seconds, benchCpuDuringApi };
}
