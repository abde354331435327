import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { processCpuSeconds } from '../support/cpu-time';
import { curlUploadSpeed } from '../support/curl-upload';
import { curlTusUploadSpeed } from '../support/curl-tus';
import type { BenchContext, Figure, FigureRow } from '../support/figure';
import { makeSilentWav } from '../support/media';
import { peakRss } from '../support/processes';
import { startStack, type BenchStack } from '../support/stack';
import { median, MIB, pairedRatio, round } from '../support/stats';

const GIB = 1024 * MIB;
const CHUNK_BYTES = 64 * MIB;

/**
 * The upload figure over tus: 1 GiB by curl to `/v1/stream/uploads` (a
 * creating POST, then the file in one PATCH; and again in 64 MiB PATCHes),
 * to an API with no tus settings of its own, so FileStore's defaults. MiB/s
 * from before the POST to the last PATCH's answer (probe and queueing
 * included, as for multipart). Each round is alternated with the
 * `upload` figure's multipart curl to a second API, the baseline; the
 * ratio is the median of the pair ratios. Peak RSS (VmHWM) is the tus
 * API's over all rounds. No worker runs; each round's files are deleted.
 */
export const tusUpload: Figure = {
  id: 'tus-upload',
  title: 'upload, tus',
  async run(ctx: BenchContext): Promise<FigureRow> {
    const rounds = ctx.quick ? 1 : 3;
    const file = await makeSilentWav(path.join(ctx.tmpDir, 'tus-upload-1gib.wav'), GIB);
    const multipartStack = await startStack('tus-upload-multipart', { workers: 0 });
    const stack = await startStack('tus-upload', { workers: 0 });
    try {
      const idleRss = await peakRss(stack.api.proc.pid);
      const speeds: number[] = [];
      const chunkedSpeeds: number[] = [];
      const multipartSpeeds: number[] = [];
      const apiCpu: number[] = [];
      // Round 0 is a warm-up (JIT, page cache): not counted.
      for (let i = -1; i < rounds; i++) {
        const multipart = await curlUploadSpeed(multipartStack.baseUrl, file);
        await clearUploads(multipartStack);
        const cpuBefore = await processCpuSeconds(stack.api.proc.pid ?? NaN);
        const speed = await curlTusUploadSpeed(stack.baseUrl, file);
        const cpu = (await processCpuSeconds(stack.api.proc.pid ?? NaN)) - cpuBefore;
        await clearUploads(stack);
        const chunked = await curlTusUploadSpeed(stack.baseUrl, file, CHUNK_BYTES);
        await clearUploads(stack);
        if (i >= 0) {
          multipartSpeeds.push(multipart);
          speeds.push(speed);
          chunkedSpeeds.push(chunked);
          apiCpu.push(round(cpu, 2));
        }
        ctx.log(
          `  ${i < 0 ? 'warm-up' : `round ${i + 1}`}: tus ${round(speed, 0)} MiB/s, ` +
            `tus 64 MiB chunks ${round(chunked, 0)} MiB/s, multipart ${round(multipart, 0)} MiB/s`,
        );
      }
      const peakMib = ((await peakRss(stack.api.proc.pid)) ?? NaN) / MIB;
      const speed = median(speeds);
      return {
        id: this.id,
        figure: 'tus upload (1 GiB, loopback, one PATCH)',
        measured: `${round(speed, 0)} MiB/s (64 MiB chunks ${round(median(chunkedSpeeds), 0)}), peak RSS ${round(peakMib, 0)} MiB`,
        baseline: `${round(median(multipartSpeeds), 0)} MiB/s (multipart)`,
        ratio: round(pairedRatio(speeds, multipartSpeeds), 3),
        target: '≥ 300 MiB/s, RSS ≤ 200 MiB',
        pass: speed >= 300 && peakMib <= 200,
        details: {
          rounds,
          mibPerSecond: speeds,
          chunkedMibPerSecond: chunkedSpeeds,
          chunkBytes: CHUNK_BYTES,
          multipartMibPerSecond: multipartSpeeds,
          peakRssMib: round(peakMib, 1),
          rssBeforeMib: idleRss === null ? null : round(idleRss / MIB, 1),
          apiCpuSecondsOnePatch: apiCpu,
        },
      };
    } finally {
      await Promise.all([stack.stop(), multipartStack.stop()]);
      await rm(file, { force: true });
    }
  },
};

/** The queued job's source (no worker takes it) and tus's leftovers: 1 GiB a round otherwise. */
async function clearUploads(stack: BenchStack): Promise<void> {
  for (const dir of ['uploads', 'tus']) {
    const full = path.join(stack.storageDir, dir);
    for (const entry of await readdir(full).catch(() => [])) await rm(path.join(full, entry), { force: true });
  }
}
