import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BenchContext, Figure, FigureRow } from '../support/figure';
import { submit, waitCompleted } from '../support/client';
import { makeWav } from '../support/media';
import { startNginx } from '../support/nginx';
import { startBenchS3 } from '../support/s3';
import { alternateWithNginx, type SegmentRounds } from '../support/segment-rounds';
import { startStack } from '../support/stack';
import { median, pairedRatio, round } from '../support/stats';

/**
 * The segment figure with STORAGE_DRIVER=s3: a real job (API + one worker,
 * both on an s3rver bucket started by the bench, no shared disk)
 * publishes its segments to the bucket; then wrk GETs them through the API
 * in its default configuration (no MEDIA_PUBLIC_BASE_URL: the API answers
 * from the bucket itself, not with a 302), against nginx serving the same
 * objects' bytes from a folder on disk at the same paths. Same rounds,
 * wrk settings and ratio as the `segments` figure.
 */
export const s3SegmentServing: Figure = {
  id: 's3-segment-serving',
  title: 'segment serving, s3 driver',
  async run(ctx: BenchContext): Promise<FigureRow> {
    const clip = await makeWav(ctx.tmpDir, 's3-segments-clip', 120);
    const s3 = await startBenchS3();
    // The API as shipped but for where its media lives.
    const stack = await startStack('s3-segments', { workers: 1, defaults: true, env: s3.env });
    try {
      const jobId = await submit(stack.baseUrl, clip, { codec: 'aac', quality_profile: 'high' });
      const job = await waitCompleted(stack.baseUrl, jobId, 50);
      const manifest = await fetch(`${stack.baseUrl}${job.manifest_url ?? ''}`);
      if (manifest.status !== 200) throw new Error(`the playlist answered ${manifest.status}`);
      const names = (await manifest.text()).split('\n').filter((line) => line !== '' && !line.startsWith('#'));
      if (names.length === 0) throw new Error('the playlist names no segment');
      // nginx's copy: the bucket's objects, read from s3rver directly, under the layout nginx serves.
      const diskRoot = await mkdtemp(path.join(ctx.tmpDir, 's3-segments-disk-'));
      const jobDir = path.join(diskRoot, 'hls', jobId);
      await mkdir(jobDir, { recursive: true });
      for (const name of names) await writeFile(path.join(jobDir, name), await s3.get(`hls/${jobId}/${name}`));
      const paths = names.map((name) => `/v1/stream/hls/${jobId}/${name}`);
      const nginx = await startNginx(await mkdtemp(path.join(ctx.tmpDir, 'nginx-')), diskRoot, paths[0] ?? '/');
      let rounds: SegmentRounds;
      try {
        rounds = await alternateWithNginx(ctx, stack.baseUrl, nginx.baseUrl, paths);
      } catch (err) {
        // A failed answer from the bucket is logged by the API: show the reason with the failure.
        const warnings = stack.api
          .output()
          .split('\n')
          .filter((line) => /"level":"(warn|error)"/.test(line));
        if (warnings.length > 0) ctx.log(warnings.slice(-5).join('\n'));
        throw err;
      } finally {
        await nginx.child.stop();
      }
      const { apiRps: api, nginxRps: base, seconds, benchCpuDuringApi } = rounds;
      const ratio = pairedRatio(api, base);
      return {
        id: this.id,
        figure: `segment serving from the bucket (s3rver, ${paths.length} segments, wrk -c64)`,
        measured: `${round(median(api), 0)} req/s`,
        baseline: `${round(median(base), 0)} req/s (nginx, same bytes on disk)`,
        ratio: round(ratio, 3),
        target: '≥ 0.8× nginx',
        pass: ratio >= 0.8,
        details: { apiRps: api, nginxRps: base, segments: paths.length, seconds, s3rverCpuSeconds: benchCpuDuringApi },
      };
    } finally {
      await stack.stop();
      await s3.stop();
    }
  },
};
