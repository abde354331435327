import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Redis } from 'ioredis';
import type { Config } from '@stream-server/config';
import { FfmpegRepository, setUpFfmpeg, type EncoderMap } from '@stream-server/ffmpeg';
import { CancelRegistry, createRedis, TranscodeQueue, TranscodeWorker, WebhookQueue, type WebhookWorker } from '@stream-server/queue';
import { FleetMetrics, FleetRegistry, HEARTBEAT_MS, type WorkerInfo } from '@stream-server/fleet';
import { describeError, type Logger } from '@stream-server/logger';
import { CODECS } from '@stream-server/profiles';
import { StorageLayout, StorageRepository } from '@stream-server/storage';
import { JobMetricsRecorder } from './job-metrics-recorder';
import { sweepWorkDirs } from './work-dir-sweeper';
import { createWebhookDeliveryWorker } from './webhook-delivery';
import { WebhookRelay, webhookRelayCursorKey } from './webhook-relay';
import { ABORT_REASONS } from './failure-classifier';
import { TranscodeProcessor } from './transcode-processor';

export interface WorkerApp {
  readonly id: string;
  /** Resolves ffmpeg, probes what it can write, joins the queue. */
  start(): Promise<void>;
  /**
   * Stops taking jobs and lets running ones finish for up to
   * SHUTDOWN_GRACE_SECONDS; then stops their ffmpeg and hands them back to
   * the queue (no attempt used). Leaves the fleet, closes Redis.
   */
  stop(): Promise<void>;
  /** Codec → encoder, known after start(). */
  encoders(): EncoderMap;
}

/** Knobs that are not settings (tests use them). */
export interface WorkerAppOptions {
  /** First webhook retry delay (default: the policy table's 10 s); later ones double up to an hour. */
  readonly webhookBackoffBaseMs?: number;
}

/**
 * Wires a transcode worker: config in, BullMQ worker out. All logic is in
 * TranscodeProcessor and the packages; this only builds and connects.
 */
export function createWorkerApp(config: Config, logger: Logger, options: WorkerAppOptions = {}): WorkerApp {
  const id = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = logger.child({ worker_id: id });
  const storage = new StorageRepository(new StorageLayout(config.storageDir));
  let worker: TranscodeWorker | undefined;
  let redis: Redis | undefined;
  let subscriber: Redis | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let fleet: FleetRegistry | undefined;
  let encoders: EncoderMap = {};
  let webhooks: WebhookQueue | undefined;
  let relay: WebhookRelay | undefined;
  /** Reads job records: the start-up sweep and the webhook relay. */
  let jobs: TranscodeQueue | undefined;
  let deliveries: WebhookWorker | undefined;

  async function start(): Promise<void> {
    await storage.ensureLayout();
    const setup = await setUpFfmpeg({ ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath }, log);
    const { binaries, codecs } = setup;
    encoders = setup.encoders;
    if (codecs.length === 0) throw new Error(`${binaries.ffmpeg} cannot write any of ${CODECS.join(', ')} into HLS`);

    const ffmpeg = new FfmpegRepository(binaries, log);
    redis = createRedis(config.redisUrl, 'worker');
    redis.on('error', (err: Error) => log.warn('redis connection error', { error: err.message }));
    const cancels = new CancelRegistry(redis, config.queuePrefix, config.jobRetentionDays * 86_400);
    const processor = new TranscodeProcessor(
      storage,
      ffmpeg,
      encoders,
      {
        segmentSeconds: config.hlsSegmentSeconds,
        keepSource: config.keepSource,
        maxDurationSeconds: config.maxDurationSeconds,
        timeoutFloorSeconds: config.jobTimeoutFloorSeconds,
        loudnessTarget: { integratedLufs: config.loudnessTargetLufs, truePeakDbtp: config.loudnessTruePeakDb },
        waveformSamplesPerPixel: config.waveformSamplesPerPixel,
      },
      cancels,
      log,
    );
    fleet = new FleetRegistry(redis, config.queuePrefix);
    // Ops: running jobs in the fleet registry, finished ones in the fleet metrics, one log line per state change.
    const recorder = new JobMetricsRecorder(id, fleet, new FleetMetrics(redis, config.queuePrefix), log);
    const info: WorkerInfo = {
      id,
      host: os.hostname(),
      pid: process.pid,
      concurrency: config.workerConcurrency,
      codecs,
      ffmpegVersion: binaries.version,
      startedAt: new Date().toISOString(),
    };
    const beat = () => {
      fleet?.heartbeat(info, Date.now(), recorder.currentJobs()).catch((err: unknown) => log.warn('fleet heartbeat failed', describeError(err)));
    };
    beat();
    heartbeat = setInterval(beat, HEARTBEAT_MS);
    heartbeat.unref();

    // Work dirs left by crashed attempts: removed unless their job is
    // running (perhaps on another worker) right now.
    const reader = new TranscodeQueue(redis, { prefix: config.queuePrefix, attempts: config.jobAttempts, retentionDays: config.jobRetentionDays });
    jobs = reader;
    const swept = await sweepWorkDirs(storage, async (jobId) => (await reader.get(jobId))?.state === 'active');
    if (swept > 0) log.info('removed work dirs of crashed attempts', { count: swept });

    worker = new TranscodeWorker(redis, (job, signal) => recorder.track(job.data.jobId, () => processor.process(job, signal)), {
      prefix: config.queuePrefix,
      concurrency: config.workerConcurrency,
      lockSeconds: config.jobLockSeconds,
    });
    const running = worker;

    // Cancels reach the worker running the job through pub/sub; BullMQ
    // aborts that job's signal, which stops its ffmpeg at once.
    subscriber = redis.duplicate();
    subscriber.on('error', (err: Error) => log.warn('redis subscriber error', { error: err.message }));
    subscriber.on('message', (_channel: string, jobId: string) => {
      if (running.cancel(jobId, ABORT_REASONS.cancel)) log.info('job cancelled while running', { job_id: jobId });
    });
    await subscriber.subscribe(cancels.channel);

    recorder.attach(worker);
    // Webhooks: jobs with a callback_url are reported when they end for good;
    // only a worker holding WEBHOOK_SECRET delivers (it has to sign).
    webhooks = new WebhookQueue(redis, {
      prefix: config.queuePrefix,
      retryHours: config.webhookRetryHours,
      retentionDays: config.jobRetentionDays,
      ...(options.webhookBackoffBaseMs === undefined ? {} : { backoffBaseMs: options.webhookBackoffBaseMs }),
    });
    relay = new WebhookRelay(
      redis,
      reader,
      webhooks,
      {
        streamKey: reader.eventStreamKey(),
        cursorKey: webhookRelayCursorKey(config.queuePrefix),
      },
      log,
      (uploadId) => storage.remove(storage.layout.uploadPath(uploadId)),
    );
    await relay.start();
    if (config.webhookSecret) {
      deliveries = createWebhookDeliveryWorker(
        redis,
        config.queuePrefix,
        { secret: config.webhookSecret, allowPrivate: config.webhookAllowPrivate, timeoutMs: config.webhookTimeoutSeconds * 1000 },
        log,
      );
    }
    worker.onError((err) => log.warn('worker error', { error: err.message }));
    await worker.waitUntilReady();
    log.info('worker started', { concurrency: config.workerConcurrency, queue_prefix: config.queuePrefix });
  }

  async function stop(): Promise<void> {
    // Each step on its own: one failing must not skip the others.
    if (heartbeat) clearInterval(heartbeat);
    if (worker) {
      const closing = worker.close();
      const graceMs = config.shutdownGraceSeconds * 1000;
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'grace-over'>((resolve) => {
        timer = setTimeout(() => resolve('grace-over'), graceMs);
      });
      try {
        if ((await Promise.race([closing, graceOver])) === 'grace-over') {
          log.warn('jobs still running after the grace period: handing them back to the queue', { grace_seconds: config.shutdownGraceSeconds });
          worker.cancelAll(ABORT_REASONS.shutdown);
        }
        await closing;
      } catch (err) {
        log.warn('closing the worker failed', describeError(err));
      } finally {
        clearTimeout(timer);
      }
    }
    try {
      // Reports of the jobs that just ended first, then in-flight deliveries.
      await relay?.stop();
      await deliveries?.close();
      await webhooks?.close();
      await jobs?.close();
    } catch (err) {
      log.warn('closing the webhook queue failed', describeError(err));
    }
    try {
      await subscriber?.quit();
    } catch {
      subscriber?.disconnect();
    }
    try {
      await fleet?.leave(id);
    } catch (err) {
      log.warn('leaving the fleet failed', describeError(err));
    }
    try {
      await redis?.quit();
    } catch {
      redis?.disconnect();
    }
    log.info('worker stopped');
  }

  return { id, start, stop, encoders: () => encoders };
}
