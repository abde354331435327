import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Config } from '@stream-server/config';
import type { EncoderMap } from '@stream-server/ffmpeg';
import { CancelRegistry, createRedis, TranscodeQueue, type RedisClient } from '@stream-server/queue';
import { FleetMetrics, FleetRegistry } from '@stream-server/fleet';
import type { QueueState } from '@stream-server/jobs';
import type { Logger } from '@stream-server/logger';
import { createStorage, type MediaStorage } from '@stream-server/storage';
import { CancelListener } from './cancel-listener';
import { FleetPresence } from './fleet-presence';
import { JobMetricsRecorder } from './job-metrics-recorder';
import { runCleanup } from './run-cleanup';
import { setUpWorkerFfmpeg, TranscodeRunner } from './transcode-runner';
import { WebhookWiring } from './webhook-wiring';
import { OrphanSweeper } from './orphan-sweeper';

/**
 * A job whose temp and live dirs may still be needed: running, or a ladder
 * whose parts have staged rungs for its last step (which reads Processing
 * too, see buildSnapshot). A job waiting for a retry needs none: its next
 * attempt starts afresh.
 */
function isJobOn(state: QueueState): boolean {
  return state === 'active' || state === 'waiting-children';
}

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
 * Wires a transcode worker: config in, BullMQ worker out. The logic is in
 * the modules it connects (runner, fleet presence, cancel listener,
 * webhooks, orphan sweep) and the packages; this only builds them,
 * starts them in order and stops them in reverse.
 */
export function createWorkerApp(config: Config, logger: Logger, options: WorkerAppOptions = {}): WorkerApp {
  const id = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = logger.child({ worker_id: id });
  let storage: MediaStorage | undefined;
  const runner = new TranscodeRunner(config, log, id);
  let encoders: EncoderMap = {};
  let redis: RedisClient | undefined;
  let presence: FleetPresence | undefined;
  let cancelListener: CancelListener | undefined;
  let webhooks: WebhookWiring | undefined;
  let sweeper: OrphanSweeper | undefined;
  /** Reads job records: the start-up sweep and the webhook relay. */
  let jobs: TranscodeQueue | undefined;

  async function start(): Promise<void> {
    const media = await createStorage(config.storageDir, config.storage);
    storage = media;
    await media.ensureLayout();
    const setup = await setUpWorkerFfmpeg(config, log);
    encoders = setup.encoders;

    const connection = createRedis(config.redis, 'worker');
    redis = connection;
    connection.on('error', (err: Error) => log.warn('redis connection error', { error: err.message }));
    const cancels = new CancelRegistry(connection, config.queuePrefix, config.jobRetentionDays * 86_400);
    const fleet = new FleetRegistry(connection, config.queuePrefix);
    // Ops: running jobs in the fleet registry, finished ones in the fleet metrics, one log line per state change.
    const recorder = new JobMetricsRecorder(id, fleet, new FleetMetrics(connection, config.queuePrefix), log);
    presence = new FleetPresence(
      fleet,
      {
        id,
        host: os.hostname(),
        pid: process.pid,
        concurrency: config.workerConcurrency,
        codecs: setup.codecs,
        ffmpegVersion: setup.binaries.version,
        startedAt: new Date().toISOString(),
      },
      () => recorder.currentJobs(),
      log,
    );
    presence.start();

    const reader = new TranscodeQueue(connection, {
      prefix: config.queuePrefix,
      attempts: config.jobAttempts,
      retentionDays: config.jobRetentionDays,
    });
    jobs = reader;
    // What no job owns (uploads of a killed API, dirs of crashed attempts):
    // swept now and then periodically; a running job's files are left alone.
    sweeper = new OrphanSweeper(
      storage,
      {
        uploadsInUse: (withFinished) => reader.uploadsInUse(withFinished),
        isRunning: async (jobId) => {
          const job = await reader.get(jobId);
          return job !== null && isJobOn(job.state);
        },
        markPurged: (jobId) => reader.markPurged(jobId),
      },
      {
        graceSeconds: config.orphanGraceSeconds,
        keepSource: config.keepSource,
        outputRetentionDays: config.outputRetentionDays,
      },
      log,
    );
    await sweeper.sweepLogged();
    sweeper.start();

    runner.start(connection, storage, setup, cancels, recorder);
    // A cancel stops the job's ffmpeg at once on the worker running it.
    cancelListener = new CancelListener(
      connection,
      cancels.channel,
      (jobId) => {
        if (runner.cancel(jobId)) log.info('job cancelled while running', { job_id: jobId });
      },
      log,
    );
    await cancelListener.start();

    webhooks = new WebhookWiring(
      connection,
      reader,
      config,
      (uploadId) => media.remove(media.layout.uploadPath(uploadId)),
      log,
      {
        backoffBaseMs: options.webhookBackoffBaseMs,
      },
    );
    await webhooks.start();
    await runner.waitUntilReady();
    log.info('worker started', { concurrency: config.workerConcurrency, queue_prefix: config.queuePrefix });
  }

  async function stop(): Promise<void> {
    // Each step on its own: one failing must not skip the others.
    presence?.stopBeating();
    await runCleanup(() => sweeper?.stop(), 'stopping the orphan sweep', log);
    await runCleanup(() => runner.stop(), 'closing the worker', log);
    // Reports of the jobs that just ended first, then in-flight deliveries.
    await runCleanup(() => webhooks?.stop(), 'closing the webhooks', log);
    await runCleanup(() => jobs?.close(), 'closing the job reader', log);
    await runCleanup(() => cancelListener?.stop(), 'closing the cancel listener', log);
    await runCleanup(() => presence?.stop(), 'leaving the fleet', log);
    await runCleanup(async () => storage?.close?.(), 'closing the storage', log);
    try {
      await redis?.quit();
    } catch {
      redis?.disconnect();
    }
    log.info('worker stopped');
  }

  return { id, start, stop, encoders: () => encoders };
}
