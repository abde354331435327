import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { processCpuSeconds } from '../support/cpu-time';
import { curlUploadSpeed } from '../support/curl-upload';
import type { BenchContext, Figure, FigureRow } from '../support/figure';
import { makeSilentWav } from '../support/media';
import { peakRss } from '../support/processes';
import { startBenchS3 } from '../support/s3';
import { startStack } from '../support/stack';
import { median, MIB, pairedRatio, round } from '../support/stats';

const GIB = 1024 * MIB;

/**
 * The upload figure with STORAGE_DRIVER=s3: 1 GiB by curl to an API whose
 * bucket is an s3rver started by the bench. The submit answer comes once
 * the upload is on the API's scratch disk, probed, put into the bucket
 * (multipart) and queued, so MiB/s (curl start → answer) includes that
 * put, and s3rver's own speed bounds it. Alternated with the same upload
 * to an API on the fs driver (the `upload` figure's setup), ratio the
 * median of the pair ratios. Peak RSS (VmHWM) is the s3 API's over all
 * rounds. No worker runs; each round's objects and files are deleted.
 */
export const s3Upload: Figure = {
  id: 's3-upload',
  title: 'upload, s3 driver',
  async run(ctx: BenchContext): Promise<FigureRow> {
    const rounds = ctx.quick ? 1 : 3;
    const file = await makeSilentWav(path.join(ctx.tmpDir, 's3-upload-1gib.wav'), GIB);
    const s3 = await startBenchS3();
    const fsStack = await startStack('s3-upload-fs', { workers: 0 });
    const stack = await startStack('s3-upload', { workers: 0, env: s3.env });
    try {
      const idleRss = await peakRss(stack.api.proc.pid);
      const speeds: number[] = [];
      const fsSpeeds: number[] = [];
      const scratchLeft: number[] = [];
      const apiCpu: number[] = [];
      const s3rverCpu: number[] = [];
      // Round 0 is a warm-up (JIT, page cache, the first multipart upload): not counted.
      for (let i = -1; i < rounds; i++) {
        const fsSpeed = await curlUploadSpeed(fsStack.baseUrl, file);
        // Where the s3 round's CPU goes: the API process, and s3rver (this process, idle but for it).
        const apiBefore = await processCpuSeconds(stack.api.proc.pid ?? NaN);
        const selfBefore = process.cpuUsage();
        const speed = await curlUploadSpeed(stack.baseUrl, file);
        const self = process.cpuUsage(selfBefore);
        if (i >= 0) {
          fsSpeeds.push(fsSpeed);
          speeds.push(speed);
          apiCpu.push(round((await processCpuSeconds(stack.api.proc.pid ?? NaN)) - apiBefore, 2));
          s3rverCpu.push(round((self.user + self.system) / 1e6, 2));
        }
        ctx.log(
          `  ${i < 0 ? 'warm-up' : `round ${i + 1}`}: s3 ${round(speed, 0)} MiB/s, fs ${round(fsSpeed, 0)} MiB/s`,
        );
        // The API deletes its scratch copy once the object is in: count what is left, then clear both sides.
        scratchLeft.push((await readdir(path.join(stack.storageDir, 'uploads')).catch(() => [])).length);
        const fsUploads = path.join(fsStack.storageDir, 'uploads');
        for (const entry of await readdir(fsUploads)) await rm(path.join(fsUploads, entry), { force: true });
        // An API that kept the upload on its disk would measure the fs driver under this figure's name.
        if ((await s3.removeAll('uploads/')) !== 1) throw new Error('the upload is not in the bucket after the answer');
      }
      const peakMib = ((await peakRss(stack.api.proc.pid)) ?? NaN) / MIB;
      const speed = median(speeds);
      const ratio = pairedRatio(speeds, fsSpeeds);
      return {
        id: this.id,
        figure: 'upload to the bucket (1 GiB, loopback, s3rver)',
        measured: `${round(speed, 0)} MiB/s, peak RSS ${round(peakMib, 0)} MiB`,
        baseline: `${round(median(fsSpeeds), 0)} MiB/s (fs driver)`,
        ratio: round(ratio, 3),
        target: 'RSS ≤ 200 MiB',
        pass: peakMib <= 200,
        details: {
          rounds,
          mibPerSecond: speeds,
          fsMibPerSecond: fsSpeeds,
          peakRssMib: round(peakMib, 1),
          rssBeforeMib: idleRss === null ? null : round(idleRss / MIB, 1),
          scratchFilesLeftPerRound: scratchLeft,
          apiCpuSeconds: apiCpu,
          s3rverCpuSeconds: s3rverCpu,
        },
      };
    } finally {
      await Promise.all([stack.stop(), fsStack.stop()]);
      await s3.stop();
      await rm(file, { force: true });
    }
  },
};
