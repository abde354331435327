import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { BenchContext, Figure, FigureRow } from '../support/figure';
import { makeSilentWav } from '../support/media';
import { curlUploadSpeed } from '../support/curl-upload';
import { peakRss } from '../support/processes';
import { startStack } from '../support/stack';
import { median, MIB, round } from '../support/stats';

const GIB = 1024 * MIB;

/**
 * A 1 GiB multipart upload over loopback, sent by curl (so the client costs
 * little CPU), to a fresh API process: throughput from curl's own timing
 * (request start → response, so it includes the probe and queueing), and
 * the API's peak resident set (VmHWM) over all rounds. No worker runs; the
 * queued jobs are deleted with the stack.
 */
export const upload: Figure = {
  id: 'upload',
  title: 'upload',
  async run(ctx: BenchContext): Promise<FigureRow> {
    const rounds = ctx.quick ? 1 : 3;
    const file = await makeSilentWav(path.join(ctx.tmpDir, 'upload-1gib.wav'), GIB);
    const stack = await startStack('upload', { workers: 0 });
    try {
      const idleRss = await peakRss(stack.api.proc.pid);
      const speeds: number[] = [];
      // Round 0 is a warm-up (JIT, the kernel's first allocation of 1 GiB of page cache): not counted.
      for (let i = -1; i < rounds; i++) {
        const speed = await curlUploadSpeed(stack.baseUrl, file);
        if (i >= 0) speeds.push(speed);
        ctx.log(`  ${i < 0 ? 'warm-up' : `round ${i + 1}`}: ${round(speed, 0)} MiB/s`);
        // The job stays queued (no worker): drop its 1 GiB source now.
        const uploads = path.join(stack.storageDir, 'uploads');
        for (const entry of await readdir(uploads)) await rm(path.join(uploads, entry), { force: true });
      }
      const peak = (await peakRss(stack.api.proc.pid)) ?? NaN;
      const speed = median(speeds);
      const peakMib = peak / MIB;
      return {
        id: this.id,
        figure: 'upload (1 GiB, loopback)',
        measured: `${round(speed, 0)} MiB/s, peak RSS ${round(peakMib, 0)} MiB`,
        baseline: '—',
        ratio: null,
        target: '≥ 300 MiB/s, RSS ≤ 200 MiB',
        pass: speed >= 300 && peakMib <= 200,
        details: {
          rounds,
          mibPerSecond: speeds,
          peakRssMib: round(peakMib, 1),
          rssBeforeMib: idleRss === null ? null : round(idleRss / MIB, 1),
        },
      };
    } finally {
      await stack.stop();
      await rm(file, { force: true });
    }
  },
};
