import type { EncoderMap } from '@stream-server/ffmpeg';
import {
  ladderPartsOf,
  parseTranscodeJobData,
  PermanentJobError,
  type TranscodeJobData,
  type TranscodeJobResult,
} from '@stream-server/jobs';
import { describeError, type Logger } from '@stream-server/logger';
import { EncodeStep } from './encode-step';
import { abortReasonOf, CANCELLED, classifyFailure } from './failure-classifier';
import { encodersFor } from './job-encoders';
import { publishLadder } from './ladder-publish-step';
import { renditionsOf } from './output-check';
import type { CancelCheck, ProcessorFfmpeg, ProcessorStorage } from './processor-ports';
import { publishOutput } from './publish-step';
import { findPublishedResult } from './republish-step';

export { ABORT_REASONS } from './failure-classifier';

/** One attempt at a job, as the queue adapter hands it over (testable without a queue). */
export interface ProcessableJob {
  /** The payload as queued: checked against the job schema before anything runs. */
  readonly data: unknown;
  /** Attempts made before this one. */
  readonly attemptsMade: number;
  readonly maxAttempts: number;
  updateProgress(progress: number): Promise<unknown>;
  /** Tells readers the job's live playlist can be played (see LiveMirror). */
  reportPlayable(): Promise<unknown>;
}

/**
 * This worker's own settings: safety limits and what it keeps. Output
 * settings are not here: the job carries them (`outputs`), so every worker
 * writes the same output for a job.
 */
export interface ProcessorSettings {
  readonly keepSource: boolean;
  readonly maxDurationSeconds: number;
  readonly timeoutFloorSeconds: number;
  /** FFMPEG_STALL_SECONDS: an ffmpeg whose progress stops for this long is killed and the attempt retried. */
  readonly stallSeconds: number;
}

/**
 * Turns one queued upload into a published HLS rendition, executing the
 * plan the API resolved: a payload that fails the job schema fails for
 * good, so does a cancelled job; an output an earlier attempt published is
 * reported as it is; otherwise fresh private work dir → encode (and check)
 * → one atomic rename into hls/<job>/. Anything short of that leaves no
 * trace in hls/, and the failure is classified (see classifyFailure).
 */
export class TranscodeProcessor {
  private readonly encodeStep: EncodeStep;

  constructor(
    private readonly storage: ProcessorStorage,
    ffmpeg: ProcessorFfmpeg,
    private readonly encoders: EncoderMap,
    private readonly settings: ProcessorSettings,
    private readonly cancels: CancelCheck,
    private readonly logger: Logger,
  ) {
    this.encodeStep = new EncodeStep(ffmpeg, storage, settings);
  }

  async process(job: ProcessableJob, signal?: AbortSignal): Promise<TranscodeJobResult> {
    const data = checkedPayload(job.data);
    const log = this.logger.child({ job_id: data.jobId });

    const republished = await findPublishedResult(this.storage, data, log);
    if (republished) {
      // The attempt that published may have died before removing its live copy.
      await this.storage.remove(this.storage.layout.jobLiveDir(data.jobId));
      // It sealed the job before publishing, so this only fails for output
      // published without a seal (by an older worker) and cancelled since.
      if (!(await this.cancels.seal(data.jobId))) {
        await this.storage.remove(this.storage.layout.jobOutputDir(data.jobId));
        await this.dropSource(data);
        throw new PermanentJobError(CANCELLED);
      }
      await this.dropSource(data);
      return republished;
    }
    if (await this.cancels.isCancelled(data.jobId)) {
      await this.removeLadderLeftovers(data);
      await this.dropSource(data);
      throw new PermanentJobError(CANCELLED);
    }
    // A ladder's parts did the encoding (BullMQ runs this once they all completed).
    if (ladderPartsOf(data) > 0) return this.finishLadder(job, data, signal, log);
    // We hold the job's lock, so any work dir of this job is a dead
    // attempt's (its worker crashed): remove it before starting afresh.
    for (const stale of await this.storage.listWorkDirs(data.jobId)) await this.storage.remove(stale);

    const { encoder, downloadEncoder } = encodersFor(this.encoders, data);
    const workDir = await this.storage.createWorkDir(data.jobId, job.attemptsMade + 1);
    const liveDir = this.storage.layout.jobLiveDir(data.jobId);
    try {
      const input = await this.storage.fetchSource(this.storage.layout.uploadPath(data.uploadId), workDir);
      if (input === null) throw new PermanentJobError('the uploaded source file is missing from storage');
      const result = await this.encodeStep.run({
        data,
        input,
        workDir,
        encoder,
        downloadEncoder,
        reportProgress: (percent) => {
          job.updateProgress(percent).catch((err: unknown) => log.warn('progress update failed', describeError(err)));
        },
        reportPlayable: () => {
          log.info('playable');
          job.reportPlayable().catch((err: unknown) => log.warn('playable report failed', describeError(err)));
        },
        log,
        signal,
      });
      // A downloaded copy of the source sits in the work dir, which is published whole.
      await this.storage.releaseSource(input, this.storage.layout.uploadPath(data.uploadId));
      await publishOutput(
        this.storage,
        this.cancels,
        { workDir, jobId: data.jobId, result, renditions: renditionsOf(data).length },
        log,
      );
      await this.storage.remove(liveDir);
      await this.dropSource(data);
      return result;
    } catch (err) {
      await this.storage.remove(workDir).catch(() => undefined);
      // A retry mirrors afresh; until then (and after a cancel) nothing is served live.
      await this.storage.remove(liveDir).catch(() => undefined);
      const verdict = classifyFailure(err, abortReasonOf(signal), job);
      if (verdict.dropSource) await this.dropSource(data).catch(() => undefined);
      throw verdict.error;
    }
  }

  /** A ladder's last step: publish what its parts staged (see publishLadder). */
  private async finishLadder(
    job: ProcessableJob,
    data: TranscodeJobData,
    signal: AbortSignal | undefined,
    log: Logger,
  ): Promise<TranscodeJobResult> {
    try {
      const result = await publishLadder(this.storage, this.cancels, data, log);
      await this.storage.remove(this.storage.layout.jobLiveDir(data.jobId));
      await this.dropSource(data);
      return result;
    } catch (err) {
      const verdict = classifyFailure(err, abortReasonOf(signal), job);
      // A retry publishes from the staging dir as it is; a job over for good leaves nothing.
      if (verdict.dropSource) {
        await this.removeLadderLeftovers(data).catch(() => undefined);
        await this.dropSource(data).catch(() => undefined);
      }
      throw verdict.error;
    }
  }

  private async removeLadderLeftovers(data: TranscodeJobData): Promise<void> {
    if (ladderPartsOf(data) === 0) return;
    await this.storage.remove(this.storage.layout.ladderStagingDir(data.jobId));
    await this.storage.remove(this.storage.layout.jobLiveDir(data.jobId));
  }

  /** The upload is deleted once its job is over for good (kept on success with KEEP_SOURCE). */
  private async dropSource(data: TranscodeJobData): Promise<void> {
    if (this.settings.keepSource) return;
    await this.storage.remove(this.storage.layout.uploadPath(data.uploadId));
  }
}

/** The payload, or a permanent failure: a malformed payload fails the same way on every attempt. */
function checkedPayload(value: unknown): TranscodeJobData {
  try {
    return parseTranscodeJobData(value);
  } catch (err) {
    throw new PermanentJobError(`invalid job payload: ${err instanceof Error ? err.message : String(err)}`);
  }
}
