import type { Redis } from 'ioredis';
import type { Config } from '@stream-server/config';
import { FfmpegRepository, setUpFfmpeg, type FfmpegSetup } from '@stream-server/ffmpeg';
import { TranscodeWorker, type CancelRegistry } from '@stream-server/queue';
import type { Logger } from '@stream-server/logger';
import { CODECS } from '@stream-server/profiles';
import type { StorageRepository } from '@stream-server/storage';
import { ABORT_REASONS } from './failure-classifier';
import type { JobMetricsRecorder } from './job-metrics-recorder';
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
 * TranscodeWorker, each job tracked by the metrics recorder. stop() lets
 * running jobs finish for up to SHUTDOWN_GRACE_SECONDS, then stops their
 * ffmpeg and hands them back to the queue.
 */
export class TranscodeRunner {
  private worker: TranscodeWorker | undefined;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
  ) {}

  start(
    redis: Redis,
    storage: StorageRepository,
    setup: FfmpegSetup,
    cancels: CancelRegistry,
    recorder: JobMetricsRecorder,
  ): void {
    const { config, logger } = this;
    const processor = new TranscodeProcessor(
      storage,
      new FfmpegRepository(setup.binaries, logger),
      setup.encoders,
      {
        keepSource: config.keepSource,
        maxDurationSeconds: config.maxDurationSeconds,
        timeoutFloorSeconds: config.jobTimeoutFloorSeconds,
        stallSeconds: config.ffmpegStallSeconds,
      },
      cancels,
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
  }

  /** Stops the running job's ffmpeg (a cancel); false when this worker does not run it. */
  cancel(jobId: string): boolean {
    return this.worker?.cancel(jobId, ABORT_REASONS.cancel) ?? false;
  }

  async waitUntilReady(): Promise<void> {
    await this.worker?.waitUntilReady();
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const closing = worker.close();
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
      }
      await closing;
    } finally {
      clearTimeout(timer);
    }
  }
}
