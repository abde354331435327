import type { Config } from '@stream-server/config';
import { FfmpegRepository, setUpFfmpeg, type FfmpegSetup } from '@stream-server/ffmpeg';
import { LadderPartWorker, TranscodeWorker, type CancelRegistry, type RedisClient } from '@stream-server/queue';
import type { Logger } from '@stream-server/logger';
import { CODECS } from '@stream-server/profiles';
import type { MediaStorage } from '@stream-server/storage';
import { ABORT_REASONS } from './failure-classifier';
import type { JobMetricsRecorder } from './job-metrics-recorder';
import { LadderPartProcessor } from './ladder-part-processor';
import { TranscodeProcessor } from './transcode-processor';

/** Resolves ffmpeg and what it can write into HLS; a worker that can write nothing refuses to start. */
export async function setUpWorkerFfmpeg(config: Config, logger: Logger): Promise<FfmpegSetup> {
  const setup = await setUpFfmpeg({ ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath }, logger);
  if (setup.codecs.length === 0)
    throw new Error(`${setup.binaries.ffmpeg} cannot write any of ${CODECS.join(', ')} into HLS`);
  return setup;
}

/**
 * The transcode queue's consumer: a TranscodeProcessor behind a
 * TranscodeWorker, each job tracked by the metrics recorder; and the
 * consumer of ladder parts, a LadderPartProcessor behind a
 * LadderPartWorker (WORKER_CONCURRENCY each: a job's last step is cheap,
 * and a part is a share of a job). stop() lets running jobs and parts
 * finish for up to SHUTDOWN_GRACE_SECONDS, then stops their ffmpeg and
 * hands them back to the queue.
 */
export class TranscodeRunner {
  private worker: TranscodeWorker | undefined;
  private parts: LadderPartWorker | undefined;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly workerId: string,
  ) {}

  start(
    redis: RedisClient,
    storage: MediaStorage,
    setup: FfmpegSetup,
    cancels: CancelRegistry,
    recorder: JobMetricsRecorder,
  ): void {
    const { config, logger } = this;
    const ffmpeg = new FfmpegRepository(setup.binaries, logger);
    const settings = {
      keepSource: config.keepSource,
      maxDurationSeconds: config.maxDurationSeconds,
      timeoutFloorSeconds: config.jobTimeoutFloorSeconds,
      stallSeconds: config.ffmpegStallSeconds,
    };
    const processor = new TranscodeProcessor(storage, ffmpeg, setup.encoders, settings, cancels, logger);
    const partProcessor = new LadderPartProcessor(
      storage,
      ffmpeg,
      setup.encoders,
      settings,
      cancels,
      this.workerId,
      logger,
    );
    this.worker = new TranscodeWorker(
      redis,
      (job, signal) => recorder.track(job.data.jobId, () => processor.process(job, signal)),
      {
        prefix: config.queuePrefix,
        concurrency: config.workerConcurrency,
        lockSeconds: config.jobLockSeconds,
      },
    );
    recorder.attach(this.worker);
    this.worker.onError((err) => logger.warn('worker error', { error: err.message }));

    // Parts are tracked under their job's id (ops count jobs); their metrics are the job's.
    const parts = new LadderPartWorker(
      redis,
      (attempt, signal) => recorder.track(attempt.data.job.jobId, () => partProcessor.process(attempt, signal)),
      {
        prefix: config.queuePrefix,
        concurrency: config.workerConcurrency,
        lockSeconds: config.jobLockSeconds,
        name: this.workerId,
      },
    );
    this.parts = parts;
    parts.onError((err) => logger.warn('part worker error', { error: err.message }));
    parts.onActive((part) =>
      logger.info('ladder part active', {
        job_id: part.data.job.jobId,
        part: part.data.part,
        attempt: part.attemptsMade + 1,
      }),
    );
    parts.onFailed((part, error) => {
      if (part) logger.warn('ladder part attempt failed', { job_id: part.data.job.jobId, reason: error.message });
    });
    parts.onStalled((partId) => logger.warn('ladder part stalled: back to the queue', { part_id: partId }));
  }

  /** Stops the running job's ffmpeg, or its parts' (a cancel); false when this worker runs none. */
  cancel(jobId: string): boolean {
    const job = this.worker?.cancel(jobId, ABORT_REASONS.cancel) ?? false;
    const parts = this.parts?.cancel(jobId, ABORT_REASONS.cancel) ?? false;
    return job || parts;
  }

  async waitUntilReady(): Promise<void> {
    await Promise.all([this.worker?.waitUntilReady(), this.parts?.waitUntilReady()]);
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    const parts = this.parts;
    if (!worker || !parts) return;
    const closing = Promise.all([worker.close(), parts.close()]);
    const graceSeconds = this.config.shutdownGraceSeconds;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace-over'>((resolve) => {
      timer = setTimeout(() => resolve('grace-over'), graceSeconds * 1000);
    });
    try {
      if ((await Promise.race([closing, graceOver])) === 'grace-over') {
        this.logger.warn('jobs still running after the grace period: handing them back to the queue', {
          grace_seconds: graceSeconds,
        });
        worker.cancelAll(ABORT_REASONS.shutdown);
        parts.cancelAll(ABORT_REASONS.shutdown);
      }
      await closing;
    } finally {
      clearTimeout(timer);
    }
  }
}
