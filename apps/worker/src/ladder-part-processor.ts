import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DOWNLOAD_FILE, HLS_MANIFEST, type EncoderMap } from '@stream-server/ffmpeg';
import {
  parseLadderPartJobData,
  PermanentJobError,
  type LadderPartJobData,
  type LadderPartResult,
  type TranscodeJobData,
} from '@stream-server/jobs';
import { describeError, type Logger } from '@stream-server/logger';
import { LOUDNESS_NAME, WAVEFORM_NAME } from '@stream-server/storage';
import { EncodeStep } from './encode-step';
import { abortReasonOf, CANCELLED, classifyFailure } from './failure-classifier';
import { encodersFor } from './job-encoders';
import { renditionsOf, type Rung, type StoredLoudness } from './output-check';
import type { CancelCheck, ProcessorFfmpeg, ProcessorStorage } from './processor-ports';
import type { ProcessorSettings } from './transcode-processor';

/** One attempt at one part of a ladder job, as the queue adapter hands it over. */
export interface ProcessablePart {
  readonly data: unknown;
  readonly attemptsMade: number;
  readonly maxAttempts: number;
  updateProgress(progress: number): Promise<unknown>;
  /** The job's live multivariant playlist was written. */
  reportPlayable(): Promise<unknown>;
  /** The job failed (another part failed for good) or left the queue. */
  jobOver(): Promise<boolean>;
}

/** Why a part stops when another part already failed the job. */
const JOB_OVER = 'another part of the ladder failed';

/**
 * Encodes one part of a ladder job: its rungs (and the extras, for the
 * part that has them) in one ffmpeg, into a private work dir, mirrored
 * live into live/<job>/<rung>/ beside the other parts'. On success each
 * rung dir is renamed into the job's staging dir (tmp/<job>.parts/), the
 * extras first and the rungs last, so a part whose rungs are all staged is
 * whole: a retried part that finds them there reports them as they are.
 * A part that fails for good fails the job (BullMQ's failParentOnFailure)
 * and removes the job's staging and live dirs; a part still running
 * elsewhere sees the job over before it stages, and stops there.
 */
export class LadderPartProcessor {
  private readonly encodeStep: EncodeStep;

  constructor(
    private readonly storage: ProcessorStorage,
    ffmpeg: ProcessorFfmpeg,
    private readonly encoders: EncoderMap,
    private readonly settings: ProcessorSettings,
    private readonly cancels: CancelCheck,
    private readonly workerId: string,
    private readonly logger: Logger,
  ) {
    this.encodeStep = new EncodeStep(ffmpeg, storage, settings);
  }

  async process(attempt: ProcessablePart, signal?: AbortSignal): Promise<LadderPartResult> {
    const partData = checkedPayload(attempt.data);
    const { job: data, part } = partData;
    const plan = data.parts?.[part];
    if (!plan) throw new PermanentJobError('invalid part payload: no such part');
    const log = this.logger.child({ job_id: data.jobId, part });
    const rungs = renditionsOf(data).filter((rung) => plan.rungs.includes(rung.name));
    const staging = this.storage.layout.ladderStagingDir(data.jobId);

    try {
      await this.stopIfJobOver(attempt, data);
    } catch (err) {
      await this.removeJobLeftovers(data);
      throw err;
    }
    if (await this.staged(staging, rungs)) {
      log.info('part already staged by an earlier attempt');
      await attempt.updateProgress(100);
      return { rungs: plan.rungs, encoded: false, workerId: this.workerId };
    }
    // We hold the part's lock: its work dirs are dead attempts'.
    for (const stale of await this.storage.listWorkDirs(data.jobId, part)) await this.storage.remove(stale);
    const { encoder, downloadEncoder } = encodersFor(this.encoders, data);

    const workDir = await this.storage.createWorkDir(data.jobId, attempt.attemptsMade + 1, part);
    try {
      const input = await this.storage.fetchSource(this.storage.layout.uploadPath(data.uploadId), workDir);
      if (input === null) throw new PermanentJobError('the uploaded source file is missing from storage');
      const result = await this.encodeStep.run({
        data,
        input,
        workDir,
        encoder,
        downloadEncoder: plan.extras ? downloadEncoder : null,
        reportProgress: (percent) => {
          attempt
            .updateProgress(percent)
            .catch((err: unknown) => log.warn('progress update failed', describeError(err)));
        },
        reportPlayable: () => {
          log.info('playable');
          attempt.reportPlayable().catch((err: unknown) => log.warn('playable report failed', describeError(err)));
        },
        log,
        signal,
        part: { rungs, extras: plan.extras, liveDir: this.storage.layout.jobLiveDir(data.jobId) },
      });
      // A downloaded copy of the source sits in the work dir, which is published whole.
      await this.storage.releaseSource(input, this.storage.layout.uploadPath(data.uploadId));
      // A cancel or another part's failure wins over staging.
      await this.stopIfJobOver(attempt, data);
      if (plan.extras) {
        const saved: StoredLoudness = {
          loudness: result.loudness ?? null,
          outputLoudness: result.outputLoudness ?? null,
        };
        await writeFile(path.join(workDir, LOUDNESS_NAME), JSON.stringify(saved));
        const files = [LOUDNESS_NAME, WAVEFORM_NAME, ...(result.download ? [DOWNLOAD_FILE] : [])];
        for (const file of files) await this.storage.stage(path.join(workDir, file), path.join(staging, file));
      }
      for (const rung of rungs) {
        const dir = rung.dir ?? '';
        await this.storage.stage(path.join(workDir, dir), path.join(staging, dir));
      }
      await this.storage.remove(workDir);
      log.info('part staged', { rungs: plan.rungs });
      await attempt.updateProgress(100);
      return { rungs: plan.rungs, encoded: true, workerId: this.workerId };
    } catch (err) {
      await this.storage.remove(workDir).catch(() => undefined);
      const verdict = classifyFailure(err, abortReasonOf(signal), attempt);
      if (verdict.dropSource) {
        await this.removeJobLeftovers(data).catch(() => undefined);
      } else {
        // A retry mirrors its rungs afresh.
        for (const rung of rungs) {
          await this.storage
            .remove(path.join(this.storage.layout.jobLiveDir(data.jobId), rung.dir ?? ''))
            .catch(() => undefined);
        }
      }
      throw verdict.error;
    }
  }

  /** The job is over for good: nothing of it stays (the upload unless KEEP_SOURCE). */
  private async removeJobLeftovers(data: TranscodeJobData): Promise<void> {
    await this.storage.remove(this.storage.layout.ladderStagingDir(data.jobId));
    await this.storage.remove(this.storage.layout.jobLiveDir(data.jobId));
    if (!this.settings.keepSource) await this.storage.remove(this.storage.layout.uploadPath(data.uploadId));
  }

  /** Throws for good when the job was cancelled or another part failed it. */
  private async stopIfJobOver(attempt: ProcessablePart, data: TranscodeJobData): Promise<void> {
    if (await this.cancels.isCancelled(data.jobId)) throw new PermanentJobError(CANCELLED);
    if (await attempt.jobOver()) throw new PermanentJobError(JOB_OVER);
  }

  /** Every rung of the part is in the staging dir (the rungs are staged last). */
  private async staged(staging: string, rungs: readonly Rung[]): Promise<boolean> {
    for (const rung of rungs) {
      if (!(await this.storage.exists(path.join(staging, rung.dir ?? '', HLS_MANIFEST)))) return false;
    }
    return true;
  }
}

/** The payload, or a permanent failure: a malformed payload fails the same way on every attempt. */
function checkedPayload(value: unknown): LadderPartJobData {
  try {
    return parseLadderPartJobData(value);
  } catch (err) {
    throw new PermanentJobError(`invalid part payload: ${err instanceof Error ? err.message : String(err)}`);
  }
}
