import type { Logger } from '@stream-server/logger';
import { silentLogger } from '@stream-server/logger';
import { describeFailure } from './ffmpeg-errors';
import type { FfmpegBinaries } from './binaries';
import { buildHlsArgs, type HlsJob } from './hls-args';
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

const PROBE_TIMEOUT_MS = 30_000;

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

  async probe(file: string, signal?: AbortSignal): Promise<ProbeOutcome> {
    const result = await runProcess(this.binaries.ffprobe, buildProbeArgs(file), {
      collectStdout: true,
      timeoutMs: PROBE_TIMEOUT_MS,
      parentDeathWrapper: this.binaries.parentDeathWrapper,
      ...(signal ? { signal } : {}),
    });
    if (result.timedOut) return { ok: false, rejection: { reason: 'unreadable', detail: 'probing the file took too long' } };
    return parseProbeOutput(result.stdout, result.exitCode, result.stderrTail);
  }

  /** Runs one HLS encode; resolves when ffmpeg exits 0, else throws FfmpegError. */
  async transcodeHls(job: HlsJob, run: TranscodeRun): Promise<void> {
    const args = buildHlsArgs(job);
    this.logger.debug('ffmpeg start', { cmd: [this.binaries.ffmpeg, ...args].join(' '), cwd: run.workDir });
    const progress = new ProgressParser(job.durationSeconds);
    const result = await runProcess(this.binaries.ffmpeg, args, {
      cwd: run.workDir,
      parentDeathWrapper: this.binaries.parentDeathWrapper,
      onStdoutLine: (line) => {
        const percent = progress.push(line);
        if (percent !== null) run.onProgress?.(percent);
      },
      ...(run.signal ? { signal: run.signal } : {}),
      ...(run.timeoutMs ? { timeoutMs: run.timeoutMs } : {}),
    });
    if (result.exitCode === 0 && !result.aborted && !result.timedOut) return;
    const failure = describeFailure(result);
    this.logger.warn('ffmpeg failed', { reason: failure.message, stderr_tail: result.stderrTail.slice(-2000) });
    throw failure;
  }
}
