import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { buildEncodeArgs, FfmpegRepository, setUpFfmpeg } from '@stream-server/ffmpeg';
import { silentLogger } from '@stream-server/logger';
import { parseTranscodeOptions, resolveEncodingPlan } from '@stream-server/profiles';
import type { BenchContext, Figure, FigureRow } from '../support/figure';
import { benchBinaries, makeWav } from '../support/media';
import { submitWithCurl as submit, waitCompleted } from '../support/client';
import { startChild } from '../support/processes';
import { startStack } from '../support/stack';
import { median, pairedRatio, round } from '../support/stats';

const FIELDS = { codec: 'aac', bitrate: '192000' } as const;
const SEGMENT_SECONDS = 6; // HLS_SEGMENT_SECONDS default, as the stack runs
const MAX_DURATION_SECONDS = 14_400; // MAX_DURATION_SECONDS default

/**
 * A whole job (upload → probe → queue → worker → ffmpeg → publish → seen
 * `Completed` by a client polling every 100 ms) against bare ffmpeg doing
 * the same encode: same binary, the argv from the same pure builders the
 * worker uses (see bareArgv). Runs alternate (baseline, job, baseline,
 * job…); the ratio is the median of the per-pair ratios.
 */
export const jobOverhead: Figure = {
  id: 'overhead',
  title: 'job overhead',
  async run(ctx: BenchContext): Promise<FigureRow> {
    const seconds = ctx.quick ? 120 : 300;
    const rounds = ctx.quick ? 3 : 5;
    const source = await makeWav(ctx.tmpDir, `overhead-${seconds}s`, seconds);
    const argv = await bareArgv(source);
    const { ffmpeg } = await benchBinaries();
    const stack = await startStack('overhead', { workers: 1 });
    try {
      // One unmeasured job warms the page cache and both processes' JITs.
      await waitCompleted(stack.baseUrl, await submit(stack.baseUrl, source, FIELDS));
      const bare: number[] = [];
      const whole: number[] = [];
      const submitMs: number[] = [];
      for (let i = 0; i < rounds; i++) {
        bare.push(await timeFfmpeg(ffmpeg, argv.worker, ctx.tmpDir));

        const start = performance.now();
        const jobId = await submit(stack.baseUrl, source, FIELDS);
        submitMs.push(performance.now() - start);
        await waitCompleted(stack.baseUrl, jobId, 100);
        whole.push(performance.now() - start);
        ctx.log(`  round ${i + 1}: ffmpeg ${round(bare[i] ?? 0, 0)} ms, job ${round(whole[i] ?? 0, 0)} ms`);
      }
      const hlsOnly = await timeFfmpeg(ffmpeg, argv.hlsOnly, ctx.tmpDir);
      const ratio = pairedRatio(whole, bare);
      return {
        id: this.id,
        figure: `job overhead (${seconds / 60}-min WAV → AAC 192k)`,
        measured: `${round(median(whole) / 1000)} s`,
        baseline: `${round(median(bare) / 1000)} s (bare ffmpeg)`,
        ratio: round(ratio, 3),
        target: '≤ 1.10×',
        pass: ratio <= 1.1,
        details: {
          audioSeconds: seconds,
          bareMs: bare,
          jobMs: whole,
          submitResponseMs: submitMs,
          hlsOnlyEncodeMs: hlsOnly,
          ffmpeg,
          argv: argv.worker,
          hlsOnlyArgv: argv.hlsOnly,
        },
      };
    } finally {
      await stack.stop();
    }
  },
};

/**
 * The worker's ffmpeg argv for this file, built as TranscodeProcessor builds
 * it (one pass: the rendition, the loudness meter, the waveform PCM on fd 3),
 * and a plain HLS encode's, reported beside it so the cost of the analysis
 * outputs is visible.
 */
async function bareArgv(source: string): Promise<{ worker: string[]; hlsOnly: string[] }> {
  const setup = await setUpFfmpeg({}, silentLogger);
  const probe = await new FfmpegRepository(setup.binaries).probe(source);
  if (!probe.ok) throw new Error(`cannot probe ${source}`);
  const { audio, demuxer } = probe.result;
  const plan = resolveEncodingPlan(parseTranscodeOptions(FIELDS), audio);
  const encoder = setup.encoders[plan.codec];
  if (!encoder) throw new Error(`${setup.binaries.ffmpeg} cannot write ${plan.codec}`);
  // Written out rather than built from the package's argv parts: the
  // reference is what someone would type to get the same HLS from plain
  // ffmpeg (same codec, bitrate and segment length as FIELDS and the
  // stack), so nothing of ours (whitelists, filters, caps) is in it.
  const hlsOnly = [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-i',
    source,
    '-vn',
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
    '-hls_segment_filename',
    'segment_%05d.ts',
    'index.m3u8',
  ];
  const worker = buildEncodeArgs({
    input: source,
    demuxer,
    renditions: [{ dir: null, plan, encoder }],
    segmentSeconds: SEGMENT_SECONDS,
    maxDurationSeconds: MAX_DURATION_SECONDS,
    sourceSampleRate: audio.sampleRate,
    sourceChannels: audio.channels,
    normalize: null,
    waveform: true,
    download: null,
  });
  return { worker, hlsOnly };
}

/** Runs ffmpeg to its end in a fresh work dir, draining stdout, stderr and fd 3 (the waveform pipe) as the worker does. */
export async function timeFfmpeg(ffmpeg: string, argv: readonly string[], parent: string): Promise<number> {
  const workDir = await mkdtemp(path.join(parent, 'bare-'));
  const start = performance.now();
  const child = startChild('ffmpeg', ffmpeg, argv, { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  child.proc.stdio[3]?.on('data', () => undefined);
  const code = await child.exited;
  const ms = performance.now() - start;
  await rm(workDir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`bare ffmpeg exited ${String(code)}: ${child.output()}`);
  return ms;
}
