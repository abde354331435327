import { TranscodeQueue } from '@stream-server/queue';
import type { BenchContext, Figure, FigureRow } from '../support/figure';
import { submit } from '../support/client';
import { makeWav } from '../support/media';
import { sleep } from '../support/processes';
import { startStack, type BenchStack } from '../support/stack';
import { median, pairedRatio, round } from '../support/stats';

/**
 * N clips drained by 2 worker processes against 1 (WORKER_CONCURRENCY=1
 * each). The clips are queued while the queue is paused, so the clock
 * (resume → last `finishedOn`) measures the workers, not the uploads.
 * Rounds alternate 1 worker, 2 workers; the speed-up is the median of the
 * per-round ratios.
 */
export const fleetScaling: Figure = {
  id: 'fleet',
  title: 'fleet scaling',
  async run(ctx: BenchContext): Promise<FigureRow> {
    const clips = ctx.quick ? 20 : 40;
    const seconds = ctx.quick ? 15 : 30;
    const rounds = ctx.quick ? 1 : 3;
    const clip = await makeWav(ctx.tmpDir, 'fleet-clip', seconds);
    const stack = await startStack('fleet', { workers: 1 });
    const queue = new TranscodeQueue(stack.redis, { prefix: stack.prefix, attempts: 1, retentionDays: 1 });
    try {
      const one: number[] = [];
      const two: number[] = [];
      for (let i = 0; i < rounds; i++) {
        one.push(await drain(stack, queue, clip, clips));
        const second = await stack.addWorker();
        two.push(await drain(stack, queue, clip, clips));
        await second.stop();
        stack.workers.splice(stack.workers.indexOf(second), 1);
        ctx.log(
          `  round ${i + 1}: 1 worker ${round((one[i] ?? 0) / 1000)} s, 2 workers ${round((two[i] ?? 0) / 1000)} s`,
        );
      }
      const speedup = pairedRatio(one, two);
      return {
        id: this.id,
        figure: `fleet scaling (${clips} clips of ${seconds} s)`,
        measured: `${round(median(two) / 1000)} s on 2 workers`,
        baseline: `${round(median(one) / 1000)} s on 1 worker`,
        ratio: round(speedup, 3),
        target: '≥ 1.7× faster',
        pass: speedup >= 1.7,
        details: { clips, clipSeconds: seconds, oneWorkerMs: one, twoWorkersMs: two },
      };
    } finally {
      await queue.close();
      await stack.stop();
    }
  },
};

/** Queues `count` copies of the clip while paused, resumes, and times the drain. */
async function drain(stack: BenchStack, queue: TranscodeQueue, clip: string, count: number): Promise<number> {
  await queue.pause();
  const ids: string[] = [];
  // Four uploads at a time: quicker set-up, and the queue is paused anyway.
  for (let i = 0; i < count; i += 4) {
    const batch = Array.from({ length: Math.min(4, count - i) }, () => submit(stack.baseUrl, clip));
    ids.push(...(await Promise.all(batch)));
  }
  const start = Date.now();
  await queue.resume();
  const deadline = start + 600_000;
  for (;;) {
    const jobs = await Promise.all(ids.map((id) => queue.get(id)));
    const finished: number[] = [];
    for (const job of jobs) {
      if (job?.failedReason) throw new Error(`a fleet job failed: ${job.failedReason}`);
      if (job?.state === 'completed' && job.finishedAt !== null) finished.push(job.finishedAt);
    }
    if (finished.length === ids.length) return Math.max(...finished) - start;
    if (Date.now() > deadline) throw new Error('the fleet did not drain the queue in 10 minutes');
    await sleep(50);
  }
}
