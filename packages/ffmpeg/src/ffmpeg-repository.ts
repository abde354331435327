import type { Logger } from '@stream-server/logger';
import { silentLogger } from '@stream-server/logger';
import { describeFailure } from './ffmpeg-errors';
import type { FfmpegBinaries } from './binaries';
import { buildEncodeArgs, errorLinesOnly, type EncodeJob } from './ladder-args';
import { buildLoudnessMeasureArgs, parseEbur128Summary, type LoudnessMeasurement } from './loudness';
import { buildProbeArgs, parseProbeOutput, type ProbeOutcome } from './probe';
import { ProgressParser } from './progress';
import { runProcess } from './process-runner';

export interface TranscodeRun {
  /** Private dir ffmpeg writes into (its cwd). */
  readonly workDir: string;
  readonly onProgress?: (percent: number) => void;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/** A run whose progress is one stretch of the job's (pass 1 of 2, say). */
export interface StagedRun extends TranscodeRun {
  /** Probed source duration: progress is measured against it. */
  readonly durationSeconds: number;
  /** This run's share of the job's 0-99.9 % (default: all of it). */
  readonly progressSpan?: readonly [from: number, to: number];
}

export interface EncodeRun extends StagedRun {
  /** Receives the waveform PCM (fd 3) as ffmpeg writes it. */
  readonly onWaveformChunk?: (chunk: Buffer) => void;
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
   * download, the waveform PCM and the loudness of what was encoded.
   * Resolves with that loudness (null for silence); throws FfmpegError.
   */
  async encode(job: EncodeJob, run: EncodeRun): Promise<{ loudness: LoudnessMeasurement | null }> {
    const args = buildEncodeArgs(job);
    const result = await this.runStaged(args, run, run.onWaveformChunk);
    return { loudness: parseEbur128Summary(result.stderrTail) };
  }

  /** Pass 1 of normalisation: decode and measure only. Null for silence. */
  async measureLoudness(
    input: string,
    demuxer: string,
    maxDurationSeconds: number,
    run: StagedRun,
  ): Promise<LoudnessMeasurement | null> {
    const result = await this.runStaged(buildLoudnessMeasureArgs(input, demuxer, maxDurationSeconds), run);
    return parseEbur128Summary(result.stderrTail);
  }

  /** Runs a `level+info` ffmpeg with progress; failures read only its error lines. */
  private async runStaged(args: readonly string[], run: StagedRun, onExtraOutput?: (chunk: Buffer) => void) {
    this.logger.debug('ffmpeg start', { cmd: [this.binaries.ffmpeg, ...args].join(' '), cwd: run.workDir });
    const progress = new ProgressParser(run.durationSeconds);
    const [from, to] = run.progressSpan ?? [0, 99.9];
    const result = await runProcess(this.binaries.ffmpeg, args, {
      cwd: run.workDir,
      parentDeathWrapper: this.binaries.parentDeathWrapper,
      stderrTailBytes: SUMMARY_TAIL_BYTES,
      onStdoutLine: (line) => {
        const percent = progress.push(line);
        if (percent !== null) run.onProgress?.(Math.round((from + ((to - from) * percent) / 99.9) * 10) / 10);
      },
      ...(onExtraOutput ? { onExtraOutput } : {}),
      ...(run.signal ? { signal: run.signal } : {}),
      ...(run.timeoutMs ? { timeoutMs: run.timeoutMs } : {}),
    });
    if (result.exitCode === 0 && !result.aborted && !result.timedOut) return result;
    const failure = describeFailure({ ...result, stderrTail: errorLinesOnly(result.stderrTail) });
    this.logger.warn('ffmpeg failed', { reason: failure.message, stderr_tail: result.stderrTail.slice(-2000) });
    throw failure;
  }
}
