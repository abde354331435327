import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '@stream-server/logger';
import { silentLogger } from '@stream-server/logger';
import { describeFailure } from './ffmpeg-errors';
import type { FfmpegBinaries } from './binaries';
import { metersInProcess } from './argv-parts';
import { buildEncodeArgs, errorLinesOnly, writesAnalysisPcm, type EncodeJob } from './ladder-args';
import { buildLoudnessMeasureArgs, parseEbur128Summary, type LoudnessMeasurement } from './loudness';
import { PcmAnalyzer } from './pcm-analyzer';
import { buildProbeArgs, parseProbeOutput, type ProbeOutcome } from './probe';
import { InputReadTracker } from './input-position';
import { ProgressParser } from './progress';
import { runProcess } from './process-runner';

export interface TranscodeRun {
  /** Private dir ffmpeg writes into (its cwd). */
  readonly workDir: string;
  readonly onProgress?: (percent: number) => void;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** FFMPEG_STALL_SECONDS: ffmpeg is killed when its progress has not advanced for this long. */
  readonly stallMs?: number;
  /**
   * While progress advances, `timeoutMs` may run out and the run go on up to
   * this (the budget of the longest input allowed): a header that
   * under-states the length does not cut a healthy encode short.
   */
  readonly extendedTimeoutMs?: number;
}

/** A run whose progress is one stretch of the job's (pass 1 of 2, say). */
export interface StagedRun extends TranscodeRun {
  /** Probed source duration: progress is measured against it. */
  readonly durationSeconds: number;
  /** This run's share of the job's 0-99.9 % (default: all of it). */
  readonly progressSpan?: readonly [from: number, to: number];
}

export type EncodeRun = StagedRun;

/** What one encode measured besides writing its outputs. */
export interface EncodeAnalysis {
  /** Loudness of what was encoded; null for silence. */
  readonly loudness: LoudnessMeasurement | null;
  /** Waveform min/max pairs, or null when the job asked for none. */
  readonly waveform: Int8Array | null;
}

/** The source format the analysis PCM is written in. */
export interface MeasuredSource {
  readonly input: string;
  readonly demuxer: string;
  readonly sampleRate: number;
  readonly channels: number;
}

/** Room for ffmpeg's info-level chatter after the loudness summary (per-output stats lines). */
const SUMMARY_TAIL_BYTES = 32 * 1024;

/** Default probe limit; the API passes its PROBE_TIMEOUT_SECONDS. */
const PROBE_TIMEOUT_MS = 30_000;

export interface ProbeRun {
  /** Aborting kills ffprobe (the client went away, the API is stopping). */
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
}

/**
 * The one place that runs ffmpeg and ffprobe (Immich-style repository):
 * argument building is pure and lives elsewhere; this only spawns, reads
 * output and reports.
 */
export class FfmpegRepository {
  constructor(
    readonly binaries: FfmpegBinaries,
    private readonly logger: Logger = silentLogger,
  ) {}

  async probe(file: string, run: ProbeRun = {}): Promise<ProbeOutcome> {
    const result = await runProcess(this.binaries.ffprobe, buildProbeArgs(file), {
      collectStdout: true,
      timeoutMs: run.timeoutMs ?? PROBE_TIMEOUT_MS,
      parentDeathWrapper: this.binaries.parentDeathWrapper,
      ...(run.signal ? { signal: run.signal } : {}),
    });
    // A hung ffprobe says nothing about the file: it is the server's
    // problem, not a verdict of "unreadable" on the client's upload.
    if (result.timedOut) return { ok: false, rejection: { reason: 'timeout', detail: 'ffprobe did not finish' } };
    return parseProbeOutput(result.stdout, result.exitCode, result.stderrTail);
  }

  /**
   * The whole job in one ffmpeg (see buildEncodeArgs): every rendition, the
   * download, and the analysis PCM, read as it arrives (PcmAnalyzer).
   * Resolves with the loudness (null for silence) and the waveform; throws
   * FfmpegError.
   */
  async encode(job: EncodeJob, run: EncodeRun): Promise<EncodeAnalysis> {
    const metered = job.meter !== false;
    const inProcess = metered && metersInProcess(job.sourceChannels);
    const analyzer = writesAnalysisPcm(job)
      ? new PcmAnalyzer({
          sampleRate: job.sourceSampleRate,
          channels: job.sourceChannels,
          samplesPerPixel: job.waveformSamplesPerPixel,
          loudness: inProcess,
        })
      : null;
    const result = await this.runStaged(buildEncodeArgs(job), job.input, run, analyzer);
    const analysis = analyzer?.finish() ?? { loudness: null, waveform: null };
    return {
      loudness: !metered ? null : inProcess ? analysis.loudness : parseEbur128Summary(result.stderrTail),
      waveform: analysis.waveform,
    };
  }

  /** Pass 1 of normalisation: decode and measure only. Null for silence. */
  async measureLoudness(
    source: MeasuredSource,
    maxDurationSeconds: number,
    run: StagedRun,
  ): Promise<LoudnessMeasurement | null> {
    const args = buildLoudnessMeasureArgs(source.input, source.demuxer, maxDurationSeconds, source);
    if (!metersInProcess(source.channels)) {
      return parseEbur128Summary((await this.runStaged(args, source.input, run)).stderrTail);
    }
    const analyzer = new PcmAnalyzer({ ...source, samplesPerPixel: null, loudness: true });
    await this.runStaged(args, source.input, run, analyzer);
    return analyzer.finish().loudness;
  }

  /**
   * Runs a `level+info` ffmpeg with progress; failures read only its error
   * lines. Progress is the share of `input` ffmpeg has read where the OS
   * tells it, else its output time against the probed duration.
   */
  private async runStaged(args: readonly string[], input: string, run: StagedRun, analyzer?: PcmAnalyzer | null) {
    this.logger.debug('ffmpeg start', { cmd: [this.binaries.ffmpeg, ...args].join(' '), cwd: run.workDir });
    const source = await sourceFile(path.resolve(run.workDir, input));
    let reads: InputReadTracker | null = null;
    const progress = new ProgressParser(run.durationSeconds, () => reads?.fraction() ?? null);
    const [from, to] = run.progressSpan ?? [0, 99.9];
    const result = await runProcess(this.binaries.ffmpeg, args, {
      cwd: run.workDir,
      parentDeathWrapper: this.binaries.parentDeathWrapper,
      stderrTailBytes: SUMMARY_TAIL_BYTES,
      onStdoutLine: (line) => {
        const percent = progress.push(line);
        if (percent !== null) run.onProgress?.(Math.round((from + ((to - from) * percent) / 99.9) * 10) / 10);
      },
      onSpawn: (pid) => {
        if (source) reads = new InputReadTracker(pid, source.file, source.bytes);
      },
      ...(analyzer ? { onExtraOutput: (chunk: Buffer) => analyzer.push(chunk) } : {}),
      ...(run.signal ? { signal: run.signal } : {}),
      ...(run.timeoutMs ? { timeoutMs: run.timeoutMs } : {}),
      ...(run.stallMs ? { watchdog: { stallMs: run.stallMs, advanced: advancesTime() } } : {}),
      ...(run.extendedTimeoutMs ? { extendedTimeoutMs: run.extendedTimeoutMs } : {}),
    });
    if (result.exitCode === 0 && !result.aborted && !result.timedOut && !result.stalled) return result;
    const failure = describeFailure({ ...result, stderrTail: errorLinesOnly(result.stderrTail) });
    this.logger.warn('ffmpeg failed', { reason: failure.message, stderr_tail: result.stderrTail.slice(-2000) });
    throw failure;
  }
}

/** The path /proc shows for an input (symlinks resolved) and its size; null when it cannot be read. */
async function sourceFile(input: string): Promise<{ file: string; bytes: number } | null> {
  try {
    const file = await realpath(input);
    return { file, bytes: (await stat(file)).size };
  } catch {
    return null;
  }
}

/**
 * For the watchdog: true for a `-progress` line whose output time is past
 * every one before (ffmpeg goes on printing the same time when stuck).
 */
function advancesTime(): (line: string) => boolean {
  let last = -1;
  return (line) => {
    if (!line.startsWith('out_time_us=')) return false;
    const us = Number(line.slice('out_time_us='.length));
    if (!Number.isFinite(us) || us <= last) return false;
    last = us;
    return true;
  };
}
