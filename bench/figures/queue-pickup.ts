import type { BenchContext, Figure, FigureRow } from '../support/figure';
import { submit } from '../support/client';
import { makeWav } from '../support/media';
import { sleep } from '../support/processes';
import { startStack, type BenchStack } from '../support/stack';
import { percentile, round } from '../support/stats';

/**
 * Submit response → job `Processing` with an idle worker, one job at a time.
 * "Processing" is the moment BullMQ moved the job to active: the job hash's
 * `processedOn`, written by the worker's moveToActive (same clock as ours:
 * one machine). A worker that took the job before the response reached the
 * client counts as 0 ms; queued→active (the job's own `timestamp` →
 * `processedOn`) is reported beside it.
 */
export const queuePickup: Figure = {
  id: 'pickup',
  title: 'queue pickup',
  async run(ctx: BenchContext): Promise<FigureRow> {
    const count = ctx.quick ? 50 : 200;
    const clip = await makeWav(ctx.tmpDir, 'pickup-clip', 0.5);
    const stack = await startStack('pickup', { workers: 1 });
    try {
      await finish(stack, await submit(stack.baseUrl, clip)); // warm-up
      const raw: number[] = [];
      const addToActive: number[] = [];
      for (let i = 0; i < count; i++) {
        const jobId = await submit(stack.baseUrl, clip);
        const answeredAt = Date.now();
        const { processedOn, timestamp } = await finish(stack, jobId);
        raw.push(processedOn - answeredAt);
        addToActive.push(processedOn - timestamp);
        // The worker is idle again once the job is finished and its lock gone.
        await sleep(20);
      }
      const pickup = raw.map((ms) => Math.max(0, ms));
      const p50 = percentile(pickup, 50);
      const p99 = percentile(pickup, 99);
      return {
        id: this.id,
        figure: `queue pickup (${count} small jobs)`,
        measured: `p50 ${round(p50, 1)} ms / p99 ${round(p99, 1)} ms (queued→active p50 ${percentile(addToActive, 50)} ms)`,
        baseline: '—',
        ratio: null,
        target: 'p50 ≤ 25 ms',
        pass: p50 <= 25,
        details: {
          jobs: count,
          p50Ms: p50,
          p90Ms: percentile(pickup, 90),
          p99Ms: p99,
          maxMs: percentile(pickup, 100),
          rawMs: raw,
          queuedToActiveMs: addToActive,
        },
      };
    } finally {
      await stack.stop();
    }
  },
};

/** Polls the job hash in Redis (cheap, and off the API being measured) until the job ended. */
async function finish(stack: BenchStack, jobId: string): Promise<{ processedOn: number; timestamp: number }> {
  const key = `${stack.prefix}:transcode:${jobId}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const [processedOn, finishedOn, failedReason, timestamp] = await stack.redis.hmget(
      key,
      'processedOn',
      'finishedOn',
      'failedReason',
      'timestamp',
    );
    if (finishedOn) {
      if (failedReason) throw new Error(`pickup job ${jobId} failed: ${failedReason}`);
      return { processedOn: Number(processedOn), timestamp: Number(timestamp) };
    }
    if (Date.now() > deadline) throw new Error(`pickup job ${jobId} did not finish`);
    await sleep(5);
  }
}
