import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DOWNLOAD_FILE,
  FfmpegError,
  throttle,
  WaveformFolder,
  waveformJson,
  type EncoderMap,
  type FfmpegRepository,
  type LoudnessMeasurement,
  type LoudnessTarget,
  type RenditionOutput,
} from '@stream-server/ffmpeg';
import {
  attemptTimeoutMs,
  JobHandedBackError,
  PermanentJobError,
  type LoudnessSummary,
  type TranscodeJobData,
  type TranscodeJobResult,
} from '@stream-server/jobs';
import { type CancelRegistry } from '@stream-server/queue';
import { describeError, type Logger } from '@stream-server/logger';
import { LOUDNESS_NAME, WAVEFORM_NAME, type StorageRepository } from '@stream-server/storage';
import { describeRenditions, parseStoredLoudness, renditionsOf, type StoredLoudness } from './output-check';

/** One attempt at a job, as the queue adapter hands it over (testable without a queue). */
export interface ProcessableJob {
  readonly data: TranscodeJobData;
  /** Attempts made before this one. */
  readonly attemptsMade: number;
  readonly maxAttempts: number;
  updateProgress(progress: number): Promise<unknown>;
}

/** Why a running job's signal was aborted (passed to `TranscodeWorker#cancel`). */
export const ABORT_REASONS = { cancel: 'cancel', shutdown: 'shutdown' } as const;

const CANCELLED = 'cancelled';

export interface ProcessorSettings {
  readonly segmentSeconds: number;
  readonly keepSource: boolean;
  readonly maxDurationSeconds: number;
  readonly timeoutFloorSeconds: number;
  /** Where `normalize=true` aims (LOUDNESS_TARGET, LOUDNESS_TRUE_PEAK). */
  readonly loudnessTarget: LoudnessTarget;
  /** Source samples per waveform min/max pair (WAVEFORM_SAMPLES_PER_PIXEL). */
  readonly waveformSamplesPerPixel: number;
}

/** Share of the progress bar pass 1 of normalisation takes (it only decodes). */
const MEASURE_PASS_PERCENT = 25;

/** Progress reaches Redis at most this often (≤ 4 updates/s). */
const PROGRESS_INTERVAL_MS = 250;

/**
 * Turns one queued upload into a published HLS rendition:
 * fresh private work dir → ffmpeg → check the playlist is whole → one
 * atomic rename into hls/<job>/. Anything short of that leaves no trace
 * in hls/. Media that cannot be decoded fails at once (PermanentJobError);
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

  async process(job: ProcessableJob, signal?: AbortSignal): Promise<TranscodeJobResult> {
    const data = job.data;
    if (data.version !== 1) throw new PermanentJobError(`unsupported job payload version ${String(data.version)}`);
    const log = this.logger.child({ job_id: data.jobId });

    // An earlier attempt may have published and died before BullMQ heard
    // of it: its output is whole (only whole dirs are renamed in), keep it.
    if (await this.storage.isPublished(data.jobId)) {
      log.info('output already published by an earlier attempt');
      const dir = this.storage.layout.jobOutputDir(data.jobId);
      // The files tell the rest; the loudness was saved beside them.
      const stored = await readFile(path.join(dir, LOUDNESS_NAME), 'utf8').catch(() => null);
      const result: TranscodeJobResult = {
        ...(await describeRenditions(this.storage, dir, renditionsOf(data), false)),
        ...parseStoredLoudness(stored),
        waveform: await this.storage.exists(path.join(dir, WAVEFORM_NAME)),
        download: await this.storage.exists(path.join(dir, DOWNLOAD_FILE)),
      };
      await this.dropSource(data);
      return result;
    }

    if (await this.cancels.isCancelled(data.jobId)) {
      await this.dropSource(data);
      throw new PermanentJobError(CANCELLED);
    }
    // We hold the job's lock, so any work dir of this job is a dead
    // attempt's (its worker crashed): remove it before starting afresh.
    for (const stale of await this.storage.listWorkDirs(data.jobId)) await this.storage.remove(stale);

    const encoder = this.encoders[data.plan.codec];
    if (!encoder) {
      throw new PermanentJobError(`this worker's ffmpeg cannot write ${data.plan.codec}`);
    }
    const aacEncoder = this.encoders.aac;
    if (data.download && !data.downloadPlan) throw new PermanentJobError('the job asks for a download but carries no download plan');
    if (data.downloadPlan && !aacEncoder) throw new PermanentJobError("this worker's ffmpeg cannot write aac for the download");
    const input = this.storage.layout.uploadPath(data.uploadId);
    if (!(await this.storage.exists(input))) {
      throw new PermanentJobError('the uploaded source file is missing from storage');
    }

    const workDir = await this.storage.createWorkDir(data.jobId, job.attemptsMade + 1);
    const progress = throttle((percent) => {
      job.updateProgress(percent).catch((err: unknown) => log.warn('progress update failed', describeError(err)));
    }, PROGRESS_INTERVAL_MS);
    const timeoutMs = attemptTimeoutMs('transcode', data.source.durationSeconds, this.settings.timeoutFloorSeconds);
    const deadline = Date.now() + timeoutMs;
    const runBase = {
      workDir,
      durationSeconds: data.source.durationSeconds,
      onProgress: (percent: number) => progress.push(percent),
      ...(signal ? { signal } : {}),
    };
    try {
      const rungs = renditionsOf(data);
      const outputs: RenditionOutput[] = rungs.map((rung) => ({ dir: rung.dir, plan: rung.plan, encoder }));
      for (const rung of rungs) if (rung.dir !== null) await mkdir(path.join(workDir, rung.dir));

      // Pass 1 of normalisation: measure the source (null: silence, left as is).
      let measured: LoudnessMeasurement | null = null;
      if (data.normalize) {
        measured = await this.ffmpeg.measureLoudness(input, data.demuxer, this.settings.maxDurationSeconds, {
          ...runBase,
          timeoutMs,
          progressSpan: [0, MEASURE_PASS_PERCENT],
        });
      }
      const folder = new WaveformFolder(this.settings.waveformSamplesPerPixel);
      const downloadPlan = data.downloadPlan && aacEncoder ? { plan: data.downloadPlan, encoder: aacEncoder, file: DOWNLOAD_FILE } : null;
      const encoded = await this.ffmpeg.encode(
        {
          input,
          demuxer: data.demuxer,
          renditions: outputs,
          segmentSeconds: this.settings.segmentSeconds,
          maxDurationSeconds: this.settings.maxDurationSeconds,
          sourceSampleRate: data.source.sampleRate,
          sourceChannels: data.source.channels,
          normalize: measured ? { target: this.settings.loudnessTarget, measured } : null,
          waveform: true,
          download: downloadPlan,
        },
        {
          ...runBase,
          // Pass 1 used part of the attempt's budget; never less than a second.
          timeoutMs: Math.max(1000, deadline - Date.now()),
          progressSpan: [data.normalize ? MEASURE_PASS_PERCENT : 0, 99.9],
          onWaveformChunk: (chunk) => folder.push(chunk),
        },
      );
      progress.cancel();
      const described = await describeRenditions(this.storage, workDir, rungs);
      if (downloadPlan && !(await this.storage.exists(path.join(workDir, DOWNLOAD_FILE)))) {
        throw new Error('ffmpeg did not write the download file');
      }
      await writeFile(
        path.join(workDir, WAVEFORM_NAME),
        JSON.stringify(waveformJson(data.source.sampleRate, this.settings.waveformSamplesPerPixel, folder.finish())),
      );
      const result: TranscodeJobResult = {
        ...described,
        loudness: summary(data.normalize ? measured : encoded.loudness),
        outputLoudness: data.normalize ? summary(encoded.loudness) : null,
        waveform: true,
        download: downloadPlan !== null,
      };
      const saved: StoredLoudness = { loudness: result.loudness ?? null, outputLoudness: result.outputLoudness ?? null };
      await writeFile(path.join(workDir, LOUDNESS_NAME), JSON.stringify(saved));
      // Last look before the output becomes visible: a cancel wins.
      if (await this.cancels.isCancelled(data.jobId)) throw new PermanentJobError(CANCELLED);
      const outcome = await this.storage.publish(workDir, data.jobId);
      log.info('output published', { outcome, segments: result.segments, renditions: rungs.length });
      await this.dropSource(data);
      return result;
    } catch (err) {
      progress.cancel();
      await this.storage.remove(workDir).catch(() => undefined);
      throw await this.classify(err, job, signal);
    }
  }

  /**
   * Decides what a failed attempt becomes: handed back to the queue
   * (shutdown), failed for good (cancel, timeout, bad media, last
   * attempt: the source is then deleted), or retried (thrown as is).
   */
  private async classify(err: unknown, job: ProcessableJob, signal?: AbortSignal): Promise<Error> {
    const data = job.data;
    const reason: unknown = signal?.aborted ? signal.reason : undefined;
    if (reason === ABORT_REASONS.shutdown) {
      // Not the job's fault: back to the queue without using an attempt.
      return new JobHandedBackError();
    }
    let final: Error | null = null;
    if (reason === ABORT_REASONS.cancel || (err instanceof Error && err.message === CANCELLED)) {
      final = new PermanentJobError(CANCELLED);
    } else if (err instanceof PermanentJobError) {
      final = err;
    } else if (err instanceof FfmpegError && err.result.timedOut) {
      final = new PermanentJobError('timeout');
    } else if (err instanceof FfmpegError && err.permanent) {
      final = new PermanentJobError(err.message);
    }
    const lastAttempt = job.attemptsMade + 1 >= (job.maxAttempts);
    if (final || lastAttempt) await this.dropSource(data).catch(() => undefined);
    if (final) return final;
    return err instanceof Error ? err : new Error(String(err));
  }

  /** The upload is deleted once its job is over for good (kept on success with KEEP_SOURCE). */
  private async dropSource(data: TranscodeJobData): Promise<void> {
    if (this.settings.keepSource) return;
    await this.storage.remove(this.storage.layout.uploadPath(data.uploadId));
  }
}

/** The job body's loudness shape (pass-2 figures like the threshold stay internal). */
function summary(measured: LoudnessMeasurement | null): LoudnessSummary | null {
  if (measured === null) return null;
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    integratedLufs: round(measured.integratedLufs),
    loudnessRangeLu: round(measured.loudnessRangeLu),
    truePeakDbtp: round(measured.truePeakDbtp),
  };
}
