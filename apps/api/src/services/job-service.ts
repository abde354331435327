import { ConflictError, InvalidInputError, NotFoundError, NotReadyError } from '@stream-server/errors';
import type { JobSnapshot, TranscodeQueue } from '@stream-server/jobs';
import { isJobId, isSegmentName, type StorageRepository } from '@stream-server/storage';
import { toJobView, type JobView } from './job-view';

/** Reads jobs and locates their published output. */
export class JobService {
  constructor(
    private readonly queue: TranscodeQueue,
    private readonly storage: StorageRepository,
  ) {}

  async view(jobId: string): Promise<JobView> {
    return toJobView(await this.snapshot(jobId));
  }

  /**
   * `DELETE /v1/stream/job/{id}`: a pending job leaves the queue and its
   * upload is deleted; a running one is stopped by its worker (which
   * removes its files). A finished job cannot be cancelled.
   */
  async cancel(jobId: string): Promise<JobView> {
    checkJobId(jobId);
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
        }
        return toJobView(outcome.snapshot);
    }
  }

  /**
   * Path of a job's playlist. The disk is asked first: output is renamed
   * in only when whole, so its presence means "completed" and playback
   * costs no Redis call (and outlives the job record's retention).
   */
  async manifestPath(jobId: string): Promise<string> {
    checkJobId(jobId);
    const file = this.storage.layout.manifestPath(jobId);
    if (await this.storage.exists(file)) return file;
    const job = await this.snapshot(jobId);
    if (job.state !== 'completed') {
      throw new NotReadyError('JOB_NOT_COMPLETED', `Job ${jobId} is not completed (status: ${toJobView(job).status}).`);
    }
    throw new NotFoundError('MANIFEST_NOT_FOUND', `The HLS manifest of job ${jobId} is not on disk.`);
  }

  /** Path of one segment; existence is checked by the file send itself. */
  segmentPath(jobId: string, segment: string): string {
    checkJobId(jobId);
    if (!isSegmentName(segment)) {
      throw new InvalidInputError(
        'INVALID_SEGMENT_NAME',
        'Segment names look like segment_00001.ts, segment_00001.m4s or init.mp4.',
      );
    }
    return this.storage.layout.segmentPath(jobId, segment);
  }

  private async snapshot(jobId: string): Promise<JobSnapshot> {
    checkJobId(jobId);
    const job = await this.queue.get(jobId);
    if (!job) throw new NotFoundError('JOB_NOT_FOUND', `No job with id ${jobId}.`);
    return job;
  }
}

function checkJobId(jobId: string): void {
  if (!isJobId(jobId)) throw new InvalidInputError('INVALID_JOB_ID', 'Job ids are UUIDs, e.g. 550e8400-e29b-41d4-a716-446655440000.');
}
