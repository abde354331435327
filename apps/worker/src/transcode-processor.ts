import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UnrecoverableError, WaitingError } from 'bullmq';
import { FfmpegError, HLS_MANIFEST, parseMediaPlaylist, throttle, type EncoderMap, type FfmpegRepository } from '@stream-server/ffmpeg';
import { attemptTimeoutMs, type CancelRegistry, type TranscodeJobData, type TranscodeJobResult } from '@stream-server/jobs';
import { describeError, type Logger } from '@stream-server/logger';
import { isSegmentName, type StorageRepository } from '@stream-server/storage';

/** The part of a BullMQ job the processor uses (keeps it testable without BullMQ). */
export interface ProcessableJob {
  readonly data: TranscodeJobData;
  readonly attemptsMade: number;
  readonly opts: { readonly attempts?: number | undefined };
  updateProgress(progress: number): Promise<unknown>;
  moveToWait(token?: string): Promise<unknown>;
}

/** Why a running job's signal was aborted (passed to `Worker#cancelJob`). */
export const ABORT_REASONS = { cancel: 'cancel', shutdown: 'shutdown' } as const;

const CANCELLED = 'cancelled';

export interface ProcessorSettings {
  readonly segmentSeconds: number;
  readonly keepSource: boolean;
  readonly maxDurationSeconds: number;
  readonly timeoutFloorSeconds: number;
}

/** Progress reaches Redis at most this often (≤ 4 updates/s). */
const PROGRESS_INTERVAL_MS = 250;

/**
 * Turns one queued upload into a published HLS rendition:
 * fresh private work dir → ffmpeg → check the playlist is whole → one
 * atomic rename into hls/<job>/. Anything short of that leaves no trace
 * in hls/. Media that cannot be decoded fails at once (UnrecoverableError);
 * everything else is thrown as is so BullMQ retries it with backoff.
 */
export class TranscodeProcessor {
  constructor(
    private readonly storage: StorageRepository,
    private readonly ffmpeg: FfmpegRepository,
    private readonly encoders: EncoderMap,
    private readonly settings: ProcessorSettings,
    private readonly cancels: CancelRegistry,
    private readonly logger: Logger,
  ) {}

  async process(job: ProcessableJob, token?: string, signal?: AbortSignal): Promise<TranscodeJobResult> {
    const data = job.data;
    if (data.version !== 1) throw new UnrecoverableError(`unsupported job payload version ${String(data.version)}`);
    const log = this.logger.child({ job_id: data.jobId });

    // An earlier attempt may have published and died before BullMQ heard
    // of it: its output is whole (only whole dirs are renamed in), keep it.
    if (await this.storage.isPublished(data.jobId)) {
      log.info('output already published by an earlier attempt');
      const result = await this.describeOutput(this.storage.layout.jobOutputDir(data.jobId));
      await this.dropSource(data);
      return result;
    }

    if (await this.cancels.isCancelled(data.jobId)) {
      await this.dropSource(data);
      throw new UnrecoverableError(CANCELLED);
    }
    // We hold the job's lock, so any work dir of this job is a dead
    // attempt's (its worker crashed): remove it before starting afresh.
    for (const stale of await this.storage.listWorkDirs(data.jobId)) await this.storage.remove(stale);

    const encoder = this.encoders[data.plan.codec];
    if (!encoder) {
      throw new UnrecoverableError(`this worker's ffmpeg cannot write ${data.plan.codec}`);
    }
    const input = this.storage.layout.uploadPath(data.uploadId);
    if (!(await this.storage.exists(input))) {
      throw new UnrecoverableError('the uploaded source file is missing from storage');
    }

    const workDir = await this.storage.createWorkDir(data.jobId, job.attemptsMade + 1);
    const progress = throttle((percent) => {
      job.updateProgress(percent).catch((err: unknown) => log.warn('progress update failed', describeError(err)));
    }, PROGRESS_INTERVAL_MS);
    try {
      await this.ffmpeg.transcodeHls(
        {
          input,
          demuxer: data.demuxer,
          plan: data.plan,
          encoder,
          segmentSeconds: this.settings.segmentSeconds,
          durationSeconds: data.source.durationSeconds,
          maxDurationSeconds: this.settings.maxDurationSeconds,
        },
        {
          workDir,
          onProgress: (percent) => progress.push(percent),
          timeoutMs: attemptTimeoutMs('transcode', data.source.durationSeconds, this.settings.timeoutFloorSeconds),
          ...(signal ? { signal } : {}),
        },
      );
      progress.cancel();
      const result = await this.describeOutput(workDir);
      // Last look before the output becomes visible: a cancel wins.
      if (await this.cancels.isCancelled(data.jobId)) throw new UnrecoverableError(CANCELLED);
      const outcome = await this.storage.publish(workDir, data.jobId);
      log.info('output published', { outcome, segments: result.segments });
      await this.dropSource(data);
      return result;
    } catch (err) {
      progress.cancel();
      await this.storage.remove(workDir).catch(() => undefined);
      throw await this.classify(err, job, token, signal);
    }
  }

  /**
   * Decides what a failed attempt becomes: handed back to the queue
   * (shutdown), failed for good (cancel, timeout, bad media, last
   * attempt: the source is then deleted), or retried (thrown as is).
   */
  private async classify(err: unknown, job: ProcessableJob, token?: string, signal?: AbortSignal): Promise<Error> {
    const data = job.data;
    const reason: unknown = signal?.aborted ? signal.reason : undefined;
    if (reason === ABORT_REASONS.shutdown) {
      // Not the job's fault: back to the queue without using an attempt.
      await job.moveToWait(token);
      return new WaitingError();
    }
    let final: Error | null = null;
    if (reason === ABORT_REASONS.cancel || (err instanceof Error && err.message === CANCELLED)) {
      final = new UnrecoverableError(CANCELLED);
    } else if (err instanceof UnrecoverableError) {
      final = err;
    } else if (err instanceof FfmpegError && err.result.timedOut) {
      final = new UnrecoverableError('timeout');
    } else if (err instanceof FfmpegError && err.permanent) {
      final = new UnrecoverableError(err.message);
    }
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (final || lastAttempt) await this.dropSource(data).catch(() => undefined);
    if (final) return final;
    return err instanceof Error ? err : new Error(String(err));
  }

  /** Checks a playlist is complete and every segment it names is on disk. */
  private async describeOutput(dir: string): Promise<TranscodeJobResult> {
    const text = await readFile(path.join(dir, HLS_MANIFEST), 'utf8');
    const playlist = parseMediaPlaylist(text);
    const names = playlist.initSegment ? [playlist.initSegment, ...playlist.segments] : playlist.segments;
    if (!playlist.ended || playlist.segments.length === 0) {
      throw new Error('ffmpeg left an incomplete playlist');
    }
    for (const name of names) {
      if (!isSegmentName(name) || !(await this.storage.exists(path.join(dir, name)))) {
        throw new Error(`playlist names a missing or unexpected segment: ${name}`);
      }
    }
    return { segments: playlist.segments.length, outputDurationSeconds: Math.round(playlist.durationSeconds * 1000) / 1000 };
  }

  /** The upload is deleted once its job is over for good (kept on success with KEEP_SOURCE). */
  private async dropSource(data: TranscodeJobData): Promise<void> {
    if (this.settings.keepSource) return;
    await this.storage.remove(this.storage.layout.uploadPath(data.uploadId));
  }
}
