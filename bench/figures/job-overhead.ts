import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { TranscodeQueue } from '@stream-server/queue';
import type { BenchContext, Figure, FigureRow } from '../support/figure';
import { benchBinaries, makeMp3, makeWav } from '../support/media';
import { submitWithCurl as submit, waitCompleted } from '../support/client';
import { processCpuSeconds } from '../support/cpu-time';
import { startChild } from '../support/processes';
import { startStack } from '../support/stack';
import { median, pairedRatio, round } from '../support/stats';

const FIELDS = { codec: 'aac', bitrate: '192000' } as const;
const SEGMENT_SECONDS = 6; // HLS_SEGMENT_SECONDS default, as the stack runs

interface Source {
  readonly kind: 'WAV' | 'MP3';
  readonly seconds: number;
  readonly rounds: number;
  readonly make: (dir: string, name: string, seconds: number) => Promise<string>;
}

/**
 * A whole job in the default configuration (loudness and waveform on:
 * upload → probe → queue → worker → ffmpeg → publish → seen `Completed` by
 * a client polling every 100 ms) against what a user would otherwise run:
 * plain `ffmpeg -i in -c:a aac -b:a 192k -f hls -hls_time 6 -hls_playlist_type
 * vod`, nothing else. Runs alternate (plain, job, plain, job…); each ratio
 * is the median of the per-pair ratios.
 *
 * Wall: the submit answer → `Completed` seen, against plain ffmpeg's run:
 * the job as a client waits for it once its upload is accepted. The
 * upload and probe before the answer are a stage of their own, and the
 * ratio counted from curl's start is kept in the details beside it.
 * CPU: the worker process's own CPU plus its reaped children's (every
 * ffmpeg it ran), from /proc/<pid>/stat before the submit and after
 * `Completed` (see cpu-time.ts), against plain ffmpeg's (the bench's
 * reaped-children time around it). The stack runs one worker, so nothing
 * else lands in the window; the API's upload and probe are not counted.
 */
function jobOverhead(id: string, source: (quick: boolean) => Source): Figure {
  return {
    id,
    title: `job overhead (${source(false).kind})`,
    async run(ctx: BenchContext): Promise<FigureRow> {
      const { kind, seconds, rounds, make } = source(ctx.quick);
      const file = await make(ctx.tmpDir, `overhead-${seconds}s`, seconds);
      const { ffmpeg } = await benchBinaries();
      const plainArgv = plainHlsArgv(file);
      const stack = await startStack(`overhead-${kind.toLowerCase()}`, { workers: 1 });
      const queue = new TranscodeQueue(stack.redis, { prefix: stack.prefix, attempts: 1, retentionDays: 1 });
      const workerPid = stack.workers[0]?.proc.pid;
      if (workerPid === undefined) throw new Error('the worker has no pid');
      try {
        // One unmeasured job warms the page cache and both processes' JITs.
        await waitCompleted(stack.baseUrl, await submit(stack.baseUrl, file, FIELDS));
        const plain: Array<{ wallMs: number; cpuS: number }> = [];
        const jobs: Array<{
          wallMs: number;
          fromAnswerMs: number;
          cpuS: number;
          stages: Record<string, number>;
        }> = [];
        for (let i = 0; i < rounds; i++) {
          plain.push(await timePlain(ffmpeg, plainArgv, ctx.tmpDir));

          const cpuBefore = await processCpuSeconds(workerPid);
          const start = performance.now();
          const startedAt = Date.now();
          const jobId = await submit(stack.baseUrl, file, FIELDS);
          const answeredMs = performance.now() - start;
          await waitCompleted(stack.baseUrl, jobId, 100);
          const wallMs = performance.now() - start;
          const cpuS = (await processCpuSeconds(workerPid)) - cpuBefore;
          const snapshot = await queue.get(jobId);
          const stages = {
            submitAnswerMs: round(answeredMs, 0),
            queuedToStartMs: (snapshot?.startedAt ?? NaN) - (snapshot?.createdAt ?? NaN),
            workerMs: (snapshot?.finishedAt ?? NaN) - (snapshot?.startedAt ?? NaN),
            finishedToSeenMs: round(startedAt + wallMs - (snapshot?.finishedAt ?? NaN), 0),
          };
          jobs.push({ wallMs, fromAnswerMs: wallMs - answeredMs, cpuS, stages });
          const p = plain[i];
          ctx.log(
            `  round ${i + 1}: plain ffmpeg ${round(p?.wallMs ?? 0, 0)} ms / ${round(p?.cpuS ?? 0)} s CPU, ` +
              `job ${round(wallMs, 0)} ms / ${round(cpuS)} s CPU ${JSON.stringify(stages)}`,
          );
        }
        const wallRatio = pairedRatio(
          jobs.map((job) => job.fromAnswerMs),
          plain.map((run) => run.wallMs),
        );
        const withUploadRatio = pairedRatio(
          jobs.map((job) => job.wallMs),
          plain.map((run) => run.wallMs),
        );
        const cpuRatio = pairedRatio(
          jobs.map((job) => job.cpuS),
          plain.map((run) => run.cpuS),
        );
        return {
          id,
          figure: `job overhead (${seconds / 60}-min ${kind} → AAC 192k, loudness + waveform on)`,
          measured: `${round(median(jobs.map((job) => job.fromAnswerMs)) / 1000)} s after the submit answer, ${round(median(jobs.map((job) => job.cpuS)))} s CPU (CPU ${round(cpuRatio)}×; ${round(withUploadRatio)}× with the upload)`,
          baseline: `${round(median(plain.map((run) => run.wallMs)) / 1000)} s, ${round(median(plain.map((run) => run.cpuS)))} s CPU (plain ffmpeg HLS)`,
          ratio: round(wallRatio, 3),
          target: '≤ 1.10× wall, ≤ 1.15× CPU',
          pass: wallRatio <= 1.1 && cpuRatio <= 1.15,
          details: {
            audioSeconds: seconds,
            wallRatio: round(wallRatio, 3),
            withUploadRatio: round(withUploadRatio, 3),
            cpuRatio: round(cpuRatio, 3),
            plain,
            jobs,
            ffmpeg,
            plainArgv,
          },
        };
      } finally {
        await queue.close();
        await stack.stop();
      }
    },
  };
}

export const jobOverheadWav = jobOverhead('overhead', (quick) => ({
  kind: 'WAV',
  seconds: quick ? 120 : 300,
  rounds: quick ? 3 : 5,
  make: makeWav,
}));

export const jobOverheadMp3 = jobOverhead('overhead-mp3', (quick) => ({
  kind: 'MP3',
  seconds: quick ? 300 : 1200,
  rounds: quick ? 2 : 3,
  make: makeMp3,
}));

/**
 * What someone would type to get the same HLS from plain ffmpeg: same
 * codec, bitrate and segment length as FIELDS and the stack, nothing of
 * ours (whitelists, filters, caps, analysis outputs).
 */
function plainHlsArgv(source: string): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-i',
    source,
    '-c:a',
    'aac',
    '-b:a',
    FIELDS.bitrate,
    '-f',
    'hls',
    '-hls_time',
    String(SEGMENT_SECONDS),
    '-hls_playlist_type',
    'vod',
    'index.m3u8',
  ];
}

/** Runs plain ffmpeg to its end in a fresh dir: wall time and its CPU time. */
async function timePlain(
  ffmpeg: string,
  argv: readonly string[],
  parent: string,
): Promise<{ wallMs: number; cpuS: number }> {
  const workDir = await mkdtemp(path.join(parent, 'plain-'));
  const cpuBefore = await processCpuSeconds('self', true);
  const start = performance.now();
  const child = startChild('ffmpeg', ffmpeg, argv, { cwd: workDir });
  const code = await child.exited;
  const wallMs = performance.now() - start;
  const cpuS = (await processCpuSeconds('self', true)) - cpuBefore;
  await rm(workDir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`plain ffmpeg exited ${String(code)}: ${child.output()}`);
  return { wallMs, cpuS };
}

/** Wall time of one plain ffmpeg run, in ms (the ladder figure's baseline). */
export async function timeFfmpeg(ffmpeg: string, argv: readonly string[], parent: string): Promise<number> {
  return (await timePlain(ffmpeg, argv, parent)).wallMs;
}
