import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '@stream-server/config';
import { detectCapabilities, FfmpegRepository, resolveBinaries, type EncoderMap } from '@stream-server/ffmpeg';
import {
  createRedis,
  FleetRegistry,
  HEARTBEAT_MS,
  QUEUE_NAMES,
  WORKER_LOCK_SETTINGS,
  type TranscodeJobData,
  type TranscodeJobResult,
  type WorkerInfo,
} from '@stream-server/jobs';
import { describeError, type Logger } from '@stream-server/logger';
import { CODECS } from '@stream-server/profiles';
import { StorageLayout, StorageRepository } from '@stream-server/storage';
import { TranscodeProcessor } from './transcode-processor';

export interface WorkerApp {
  readonly id: string;
  /** Resolves ffmpeg, probes what it can write, joins the queue. */
  start(): Promise<void>;
  /** Stops taking jobs, lets active ones finish, leaves the fleet. */
  stop(): Promise<void>;
  /** Codec → encoder, known after start(). */
  encoders(): EncoderMap;
}

/**
 * Wires a transcode worker: config in, BullMQ worker out. All logic is in
 * TranscodeProcessor and the packages; this only builds and connects.
 */
export function createWorkerApp(config: Config, logger: Logger): WorkerApp {
  const id = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = logger.child({ worker_id: id });
  const storage = new StorageRepository(new StorageLayout(config.storageDir));
  let worker: Worker<TranscodeJobData, TranscodeJobResult, 'transcode'> | undefined;
  let redis: Redis | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let fleet: FleetRegistry | undefined;
  let encoders: EncoderMap = {};

  async function start(): Promise<void> {
    await storage.ensureLayout();
    const binaries = await resolveBinaries({ ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath });
    encoders = await detectCapabilities(binaries.ffmpeg, storage.layout.tmpDir);
    const codecs = CODECS.filter((codec) => encoders[codec] !== undefined);
    log.info('ffmpeg ready', { ffmpeg: binaries.ffmpeg, source: binaries.source, version: binaries.version, codecs });
    if (codecs.length === 0) throw new Error(`${binaries.ffmpeg} cannot write any of ${CODECS.join(', ')} into HLS`);

    const ffmpeg = new FfmpegRepository(binaries, log);
    const processor = new TranscodeProcessor(
      storage,
      ffmpeg,
      encoders,
      { segmentSeconds: config.hlsSegmentSeconds, keepSource: config.keepSource },
      log,
    );

    redis = createRedis(config.redisUrl, 'worker');
    redis.on('error', (err: Error) => log.warn('redis connection error', { error: err.message }));
    fleet = new FleetRegistry(redis, config.queuePrefix);
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
      fleet?.heartbeat(info).catch((err: unknown) => log.warn('fleet heartbeat failed', describeError(err)));
    };
    beat();
    heartbeat = setInterval(beat, HEARTBEAT_MS);
    heartbeat.unref();

    worker = new Worker(QUEUE_NAMES.transcode, (job, _token, signal) => processor.process(job, signal), {
      connection: redis,
      prefix: config.queuePrefix,
      concurrency: config.workerConcurrency,
      ...WORKER_LOCK_SETTINGS,
    });
    worker.on('active', (job) => log.info('job started', { job_id: job.id, attempt: job.attemptsMade + 1 }));
    worker.on('completed', (job) => log.info('job completed', { job_id: job.id }));
    worker.on('failed', (job, err) =>
      log.warn('job attempt failed', { job_id: job?.id, attempt: job?.attemptsMade, reason: err.message }),
    );
    worker.on('error', (err) => log.warn('worker error', { error: err.message }));
    await worker.waitUntilReady();
    log.info('worker started', { concurrency: config.workerConcurrency, queue_prefix: config.queuePrefix });
  }

  async function stop(): Promise<void> {
    // Each step on its own: one failing must not skip the others.
    if (heartbeat) clearInterval(heartbeat);
    try {
      await worker?.close();
    } catch (err) {
      log.warn('closing the worker failed', describeError(err));
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
