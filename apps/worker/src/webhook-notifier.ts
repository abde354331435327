import type { Job } from 'bullmq';
import {
  snapshotOf,
  webhookEventFor,
  type CancelRegistry,
  type JobSnapshot,
  type TranscodeJobData,
  type TranscodeJobResult,
  type WebhookQueue,
} from '@stream-server/jobs';
import { describeError, type Logger } from '@stream-server/logger';

type TranscodeJob = Job<TranscodeJobData, TranscodeJobResult, 'transcode'>;

/** What the notifier listens to: the transcode Worker's events, narrowed. */
export interface TranscodeWorkerEvents {
  on(event: 'completed', listener: (job: TranscodeJob) => void): unknown;
  on(event: 'failed', listener: (job: TranscodeJob | undefined, error: Error) => void): unknown;
}

/**
 * Queues the webhook of every job with a callback_url that this worker
 * ends for good: `transcode.completed`, `transcode.failed` (not a failed
 * attempt that BullMQ will retry: the job's state says which), or
 * `transcode.cancelled` for a running job stopped by a cancel. Queueing
 * never fails a job; errors are logged.
 */
export class WebhookNotifier {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly queue: WebhookQueue,
    private readonly cancels: CancelRegistry,
    private readonly logger: Logger,
  ) {}

  attach(worker: TranscodeWorkerEvents): void {
    worker.on('completed', (job) => {
      if (job.data.callbackUrl === undefined) return;
      this.track(this.send({ ...snapshotOf(job, 'completed', null), finishedAt: job.finishedOn ?? Date.now() }));
    });
    worker.on('failed', (job) => {
      // BullMQ passes no job when a stalled one was already removed.
      if (!job || job.data.callbackUrl === undefined) return;
      this.track(this.failed(job));
    });
  }

  /** Waits for reports still being queued (at stop, before Redis closes). */
  async drain(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private track(report: Promise<void>): void {
    this.pending.add(report);
    void report.finally(() => this.pending.delete(report));
  }

  private async failed(job: TranscodeJob): Promise<void> {
    try {
      // 'failed' fires for every attempt; only the failed state is for good.
      if ((await job.getState()) !== 'failed') return;
      const cancelled = await this.cancels.get(job.id ?? job.data.jobId);
      await this.send({ ...snapshotOf(job, 'failed', cancelled?.cancelledAt ?? null), finishedAt: job.finishedOn ?? Date.now() });
    } catch (err) {
      this.logger.warn('webhook not queued', { job_id: job.id, ...describeError(err) });
    }
  }

  private async send(snapshot: JobSnapshot): Promise<void> {
    const url = snapshot.data.callbackUrl;
    const event = webhookEventFor(snapshot);
    if (url === undefined || event === null) return;
    try {
      await this.queue.enqueue(url, event);
      this.logger.info('webhook queued', { job_id: snapshot.id, event_id: event.id, type: event.type });
    } catch (err) {
      this.logger.warn('webhook not queued', { job_id: snapshot.id, event_id: event.id, ...describeError(err) });
    }
  }
}
