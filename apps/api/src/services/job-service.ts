import { ConflictError, GoneError, InvalidInputError, NotFoundError, NotReadyError } from '@stream-server/errors';
import { ladderPartsOf, livePlaylistSource, toJobStatus, type JobSnapshot } from '@stream-server/jobs';
import type { CancelOutcome } from '@stream-server/queue';
import { isRenditionName, isSegmentName, LIVE_MANIFEST_NAME, type StorageLayout } from '@stream-server/storage';
import type { JobId } from './job-id';
import { toJobView, type JobView } from './job-view';

/** The job records: read one, cancel one, record a takedown. */
export interface JobRecords {
  get(jobId: string): Promise<JobSnapshot | null>;
  cancel(jobId: string): Promise<CancelOutcome>;
  /** Records that a job's outputs were taken down and tells every API instance. */
  markPurged(jobId: string): Promise<number>;
}

/** Copies of outputs kept elsewhere (the API's segment cache), dropped on a takedown. */
export interface OutputCopies {
  forget(jobId: string): void;
}

/** The published output and the uploads, by the storage layout's names. */
export interface JobFiles {
  readonly layout: Pick<
    StorageLayout,
    | 'uploadPath'
    | 'manifestPath'
    | 'segmentPath'
    | 'renditionManifestPath'
    | 'renditionSegmentPath'
    | 'waveformPath'
    | 'downloadPath'
    | 'playbackPath'
    | 'jobOutputDir'
    | 'jobLiveDir'
    | 'ladderStagingDir'
  >;
  exists(file: string): Promise<boolean>;
  remove(target: string): Promise<void>;
}

/** Tells a cancelled job's callback_url (the API's share of webhooks). */
export interface CancelNotices {
  cancelled(job: JobSnapshot): Promise<void>;
}

/**
 * Reads jobs and locates their published output. Job ids arrive checked
 * (`JobId`, from `parseJobId` in the route layer).
 */
export class JobService {
  constructor(
    private readonly queue: JobRecords,
    private readonly storage: JobFiles,
    /** Queues `transcode.cancelled` for waiting jobs with a callback_url (absent: no webhooks). */
    private readonly webhooks?: CancelNotices,
    private readonly copies?: OutputCopies,
  ) {}

  /**
   * `DELETE /v1/stream/job/{id}/output`: takes a finished job's outputs
   * down. The purge is recorded first, so from that moment every playback
   * URL of the job answers 410 OUTPUT_PURGED even while files are being
   * removed; then cached copies are dropped and the files removed. The job
   * keeps its status and gains `purged_at`. Works on outputs whose job
   * record has expired, too. Repeating it is harmless.
   */
  async purgeOutput(jobId: JobId): Promise<void> {
    const job = await this.queue.get(jobId);
    const dir = this.storage.layout.jobOutputDir(jobId);
    if (job === null && !(await this.storage.exists(dir))) {
      throw new NotFoundError('JOB_NOT_FOUND', `No job with id ${jobId}.`);
    }
    if (job !== null && !isFinished(job)) {
      throw new ConflictError(
        'JOB_NOT_FINISHED',
        `Job ${jobId} is ${toJobView(job).status}: only a finished job's outputs can be taken down; cancel it instead.`,
      );
    }
    await this.queue.markPurged(jobId);
    this.copies?.forget(jobId);
    await this.storage.remove(dir);
  }

  async view(jobId: JobId): Promise<JobView> {
    return toJobView(await this.snapshot(jobId));
  }

  /**
   * `DELETE /v1/stream/job/{id}`: a pending job leaves the queue and its
   * upload is deleted; a running one is stopped by its worker (which
   * removes its files). A finished job cannot be cancelled.
   */
  async cancel(jobId: JobId): Promise<JobView> {
    const outcome = await this.queue.cancel(jobId);
    switch (outcome.kind) {
      case 'not-found':
        throw new NotFoundError('JOB_NOT_FOUND', `No job with id ${jobId}.`);
      case 'finished':
        throw new ConflictError(
          'JOB_FINISHED',
          `Job ${jobId} has already finished (${toJobView(outcome.snapshot).status}); it cannot be cancelled.`,
        );
      case 'cancelled':
        if (outcome.removedFromQueue) {
          await this.storage.remove(this.storage.layout.uploadPath(outcome.snapshot.data.uploadId));
          // A ladder may leave the queue with some parts done: their staged and live rungs go too.
          if (ladderPartsOf(outcome.snapshot.data) > 0) {
            await this.storage.remove(this.storage.layout.ladderStagingDir(jobId));
            await this.storage.remove(this.storage.layout.jobLiveDir(jobId));
          }
          // No worker will ever see this job, so nobody else can report it.
          if (outcome.first) await this.webhooks?.cancelled(outcome.snapshot);
        }
        return toJobView(outcome.snapshot);
    }
  }

  /**
   * Path of a job's playlist. The storage is asked first: the playlist
   * appears only once the output is whole, so its presence means
   * "completed" and playback costs no Redis call (and outlives the job
   * record's retention).
   */
  async manifestPath(jobId: JobId): Promise<string> {
    const file = this.storage.layout.manifestPath(jobId);
    if (await this.storage.exists(file)) return file;
    const job = await this.snapshot(jobId);
    checkNotPurged(job);
    if (job.state !== 'completed') {
      throw new NotReadyError('JOB_NOT_COMPLETED', `Job ${jobId} is not completed (status: ${toJobView(job).status}).`);
    }
    throw new NotFoundError('MANIFEST_NOT_FOUND', `The HLS manifest of job ${jobId} is not in storage.`);
  }

  /** Path of one segment; existence is checked by the file send itself. */
  segmentPath(jobId: JobId, segment: string): string {
    checkSegmentName(segment);
    return this.storage.layout.segmentPath(jobId, segment);
  }

  /** Media playlist of one rung of a ladder (`low/index.m3u8`). */
  async renditionManifestPath(jobId: JobId, rendition: string): Promise<string> {
    checkRendition(rendition);
    const file = this.storage.layout.renditionManifestPath(jobId, rendition);
    if (await this.storage.exists(file)) return file;
    // Same answers as the root playlist: not completed yet, or no such rung.
    await this.manifestPath(jobId);
    throw new NotFoundError('MANIFEST_NOT_FOUND', `Job ${jobId} has no rendition "${rendition}".`);
  }

  /** One segment of one rung; existence is checked by the file send. */
  renditionSegmentPath(jobId: JobId, rendition: string, segment: string): string {
    checkRendition(rendition);
    checkSegmentName(segment);
    return this.storage.layout.renditionSegmentPath(jobId, rendition, segment);
  }

  /**
   * The live playlist (`rendition` null: the root one): the published
   * output's, ended, once the job completed (its presence in storage says so,
   * as for index.m3u8); while it runs and once playable, the live copy the
   * worker keeps growing. Nothing for a job pending, cancelled or failed:
   * a cancelled job's live copy is never served, even before its worker
   * has removed it.
   */
  async livePlaylistPath(jobId: JobId, rendition: string | null): Promise<{ file: string; ended: boolean }> {
    if (rendition !== null) checkRendition(rendition);
    const published = this.storage.layout.playbackPath('output', jobId, rendition, LIVE_MANIFEST_NAME);
    if (await this.storage.exists(published)) return { file: published, ended: true };
    const job = await this.snapshot(jobId);
    checkNotPurged(job);
    if (livePlaylistSource(job) === 'live') {
      const file = this.storage.layout.playbackPath('live', jobId, rendition, LIVE_MANIFEST_NAME);
      if (await this.storage.exists(file)) return { file, ended: false };
    }
    const status = toJobStatus(job.state, job.failedReason, job.cancelledAt !== null);
    throw new NotFoundError('MANIFEST_NOT_FOUND', `Job ${jobId} has no live playlist (status: ${status}).`);
  }

  /**
   * A segment of a running, playable job's live copy (called when the
   * published output has no such file). Not found otherwise.
   */
  async liveSegmentPath(jobId: JobId, rendition: string | null, segment: string): Promise<string> {
    if (rendition !== null) checkRendition(rendition);
    checkSegmentName(segment);
    const job = await this.queue.get(jobId);
    if (job !== null) checkNotPurged(job);
    if (job === null || livePlaylistSource(job) !== 'live') {
      throw new NotFoundError('SEGMENT_NOT_FOUND', 'No such HLS file for this job.');
    }
    return this.storage.layout.playbackPath('live', jobId, rendition, segment);
  }

  /** waveform.json of a completed job. */
  async waveformPath(jobId: JobId): Promise<string> {
    const file = this.storage.layout.waveformPath(jobId);
    if (await this.storage.exists(file)) return file;
    return this.notReadyOrMissing(
      jobId,
      'WAVEFORM_NOT_FOUND',
      `Job ${jobId} has no waveform (it finished before waveforms were made).`,
    );
  }

  /** download.m4a of a completed job that asked for it (`download=true`). */
  async downloadPath(jobId: JobId): Promise<{ file: string; trackId: string | null }> {
    const file = this.storage.layout.downloadPath(jobId);
    const job = await this.queue.get(jobId).catch(() => null);
    if (await this.storage.exists(file)) return { file, trackId: job?.data.trackId ?? null };
    if (job) checkNotPurged(job);
    if (job && job.data.download !== true) {
      throw new NotFoundError(
        'DOWNLOAD_NOT_FOUND',
        `Job ${jobId} was submitted without download=true: it has no download file.`,
      );
    }
    return this.notReadyOrMissing(jobId, 'DOWNLOAD_NOT_FOUND', `The download file of job ${jobId} is not in storage.`);
  }

  /**
   * For a file that is not in storage: 404 JOB_NOT_FOUND for an unknown job,
   * 404 `code` (saying so) while the job is not completed, else 404 `code`
   * with `missing` — never a 200.
   */
  private async notReadyOrMissing(jobId: JobId, code: string, missing: string): Promise<never> {
    const job = await this.snapshot(jobId);
    checkNotPurged(job);
    if (job.state !== 'completed') {
      throw new NotFoundError(
        code,
        `Job ${jobId} is not completed yet (status: ${toJobView(job).status}); try again once it is.`,
      );
    }
    throw new NotFoundError(code, missing);
  }

  private async snapshot(jobId: JobId): Promise<JobSnapshot> {
    const job = await this.queue.get(jobId);
    if (!job) throw new NotFoundError('JOB_NOT_FOUND', `No job with id ${jobId}.`);
    return job;
  }
}

/** 410 for a job whose outputs were taken down. */
function checkNotPurged(job: JobSnapshot): void {
  if (job.purgedAt === null) return;
  throw new GoneError(
    'OUTPUT_PURGED',
    `The outputs of job ${job.id} were taken down at ${new Date(job.purgedAt).toISOString()}.`,
  );
}

function isFinished(job: JobSnapshot): boolean {
  const status = toJobStatus(job.state, job.failedReason, job.cancelledAt !== null);
  return status === 'Completed' || status === 'Cancelled' || status.startsWith('Failed(');
}

function checkRendition(rendition: string): void {
  if (!isRenditionName(rendition)) {
    throw new InvalidInputError(
      'INVALID_RENDITION_NAME',
      'Rendition folders are quality profile names: low, medium, high or hi_res.',
    );
  }
}

function checkSegmentName(segment: string): void {
  if (!isSegmentName(segment)) {
    throw new InvalidInputError(
      'INVALID_SEGMENT_NAME',
      'Segment names look like segment_00001.ts, segment_00001.m4s or init.mp4.',
    );
  }
}
