import { createServer, type Server } from 'node:http';
import type { Express } from 'express';
import type { Config } from '@stream-server/config';
import { FfmpegRepository, setUpFfmpeg } from '@stream-server/ffmpeg';
import {
  createRedis,
  QueueInspector,
  TranscodeQueue,
  WebhookQueue,
  type RedisClient,
  duplicateRedis,
} from '@stream-server/queue';
import { FleetMetrics, FleetRegistry } from '@stream-server/fleet';
import { describeError, type Logger } from '@stream-server/logger';
import { createStorage, type MediaStorage } from '@stream-server/storage';
import { createApp } from './app';
import { StoredFileSender } from './media/stored-file-sender';
import { withStorageOutages } from './media/storage-outages';
import { JobEventHub } from './events/job-event-hub';
import { SseStreams } from './events/sse-streams';
import { ApiMetrics } from './metrics/api-metrics';
import { createQueueBoard, type QueueBoard } from './routes/admin-routes';
import { QueueStatsService } from './services/queue-stats-service';
import { HlsSegmentCache } from './routes/hls-segment-cache';
import { createRateLimiters } from './middleware/rate-limits';
import { Authenticator } from './auth/authenticator';
import { PlaybackSigner } from './playback/playback-signer';
import { CodecAvailability } from './services/codec-availability';
import { JobService } from './services/job-service';
import { WebhookNotices } from './services/webhook-callbacks';
import { TranscodeService } from './services/transcode-service';
import { UrlIngest } from './services/url-ingest';
import { UploadSlots } from './upload/upload-slots';
import { UploadStorage } from './upload/upload-storage';
import { loadTus, ResumableUploads } from './upload/resumable-uploads';

export interface ApiServer {
  /** Builds everything and listens; resolves with the bound port (PORT=0 picks one). */
  start(): Promise<number>;
  /** Stops accepting, lets in-flight requests end, closes Redis. */
  stop(): Promise<void>;
  /** The Express app, once started (supertest can use it directly). */
  app(): Express;
}

/** Wires config → repositories → services → Express, and runs the HTTP server. */
export function createApiServer(config: Config, logger: Logger): ApiServer {
  let redis: RedisClient | undefined;
  let purgeListener: RedisClient | undefined;
  let limiterRedis: RedisClient | undefined;
  let queue: TranscodeQueue | undefined;
  let board: QueueBoard | undefined;
  let inspector: QueueInspector | undefined;
  let server: Server | undefined;
  let jobEvents: { hub: JobEventHub; streams: SseStreams } | undefined;
  let webhooks: WebhookQueue | undefined;
  let express: Express | undefined;
  let slots: UploadSlots | undefined;
  let mediaStorage: MediaStorage | undefined;
  let resumable: ResumableUploads | undefined;

  async function start(): Promise<number> {
    const tus = await loadTus();
    // STORAGE_DIR holds uploads as they arrive; with the s3 driver they are
    // committed to the bucket, which holds the outputs this API serves.
    mediaStorage = await createStorage(config.storageDir, config.storage);
    await mediaStorage.ensureLayout();
    const storage = withStorageOutages(mediaStorage, logger);
    const files = new StoredFileSender(storage, config.mediaPublicBaseUrl);
    const { binaries, codecs: localCodecs } = await setUpFfmpeg(
      { ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath },
      logger,
    );

    redis = createRedis(config.redis, 'producer');
    redis.on('error', (err: Error) => logger.warn('redis connection error', { error: err.message }));
    queue = new TranscodeQueue(redis, {
      prefix: config.queuePrefix,
      attempts: config.jobAttempts,
      retentionDays: config.jobRetentionDays,
      waitReplicas: config.redisWaitReplicas,
    });
    const ffmpeg = new FfmpegRepository(binaries, logger);
    const probeTimeoutMs = config.probeTimeoutSeconds * 1000;
    const prober = {
      probe: (file: string, signal?: AbortSignal) => ffmpeg.probe(file, { signal, timeoutMs: probeTimeoutMs }),
    };
    const authenticator = Authenticator.fromConfig(config);
    limiterRedis = createRedis(config.redis, 'rate-limit');
    limiterRedis.on('error', () => undefined); // the main connection logs outages
    const rateLimits = createRateLimiters(limiterRedis, {
      submitsPerMinute: config.rateLimitSubmitsPerMinute,
      readsPerMinute: config.rateLimitReadsPerMinute,
      playbackPerMinute: config.rateLimitPlaybackPerMinute,
      prefix: config.queuePrefix,
      perCredential: authenticator.enabled,
    });
    const codecs = new CodecAvailability(new FleetRegistry(redis, config.queuePrefix), localCodecs);
    // Ops: stats, /metrics and bull-board read the queue and the fleet from Redis.
    inspector = new QueueInspector(redis, config.queuePrefix, queue.cancels);
    const stats = new QueueStatsService(
      inspector,
      new FleetRegistry(redis, config.queuePrefix),
      new FleetMetrics(redis, config.queuePrefix),
    );
    board = createQueueBoard(redis, config.queuePrefix);
    const ops = {
      stats,
      metrics: new ApiMetrics(stats, new FleetMetrics(redis, config.queuePrefix)),
      board: board.router.bind(board),
    };
    // Live progress: one QueueEvents reader for every SSE stream of this instance.
    jobEvents = {
      hub: new JobEventHub({ redisTarget: config.redis, redis, queue, prefix: config.queuePrefix, logger }),
      streams: new SseStreams(config.sseHeartbeatSeconds * 1000),
    };
    // Webhooks: the API queues transcode.cancelled for jobs cancelled before any worker took them.
    webhooks = new WebhookQueue(redis, {
      prefix: config.queuePrefix,
      retryHours: config.webhookRetryHours,
      retentionDays: config.jobRetentionDays,
    });
    // Segment GETs are answered from memory in front of Express once served
    // (see HlsSegmentCache) — only when HLS needs no token and has no budget
    // of its own (both off by default), as every such request must be checked;
    // and not when segments are redirects to a public URL, cheaper still.
    const segments =
      config.playbackSigningKey || config.rateLimitPlaybackPerMinute > 0 || files.redirects
        ? null
        : new HlsSegmentCache({
            logger,
            allowedOrigins: config.allowedOrigins,
            load: (file) => files.readBuffer(file),
          });
    // A takedown on any instance drops the job's segments from this one's memory.
    if (segments) {
      const listener = duplicateRedis(redis, { enableOfflineQueue: true, connectionName: 'stream-server:purges' });
      listener.on('error', () => undefined); // the main connection logs outages
      listener.on('message', (_channel: string, jobId: string) => segments.forgetJob(jobId));
      // Not awaited: the API starts while Redis is down (it answers 503), and
      // ioredis subscribes again once Redis is back.
      listener.subscribe(queue.purges.channel).catch(() => undefined);
      purgeListener = listener;
    }
    const jobQueue = queue;
    const uploads = new UploadStorage(storage.layout);
    slots = new UploadSlots(config.maxConcurrentUploads, uploads);
    // config twice: its source limits, then its webhook settings (callback_url).
    const transcode = new TranscodeService(storage, prober, queue, codecs, config, config, logger, config);
    // tus keeps unfinished uploads in STORAGE_DIR/tus: shared with the fs
    // driver, this process's scratch with s3 (see README, Resumable uploads).
    resumable = await ResumableUploads.create(
      {
        layout: storage.layout,
        submitter: transcode,
        maxUploadBytes: config.maxUploadBytes,
        expirySeconds: config.uploadExpirySeconds,
        allowedOrigins: config.allowedOrigins,
        logger,
      },
      tus,
    );
    resumable.startSweeping();
    express = createApp({
      jobEvents,
      ops,
      rateLimits,
      trustProxy: config.trustProxy,
      logger,
      allowedOrigins: config.allowedOrigins,
      maxUploadBytes: config.maxUploadBytes,
      uploadIdleTimeoutMs: config.uploadIdleTimeoutSeconds * 1000,
      uploadMinBytesPerSecond: config.uploadMinBytesPerSecond,
      uploadRateWindowMs: config.uploadRateWindowSeconds * 1000,
      uploadSlots: slots,
      queue,
      health: { redisWritable: () => jobQueue.checkWritable(), storage: () => storage.health() },
      transcode,
      // A source_url is fetched into uploads/ and then taken like an upload.
      ingest: new UrlIngest(transcode, config, logger),
      jobs: new JobService(queue, storage, new WebhookNotices(webhooks, logger), {
        forget: (jobId) => segments?.forgetJob(jobId),
      }),
      uploads,
      resumableUploads: resumable,
      files,
      authenticator,
      playback: config.playbackSigningKey
        ? new PlaybackSigner(config.playbackSigningKey, config.playbackTokenTtlSeconds)
        : undefined,
    });

    const app = express;
    server = await new Promise<Server>((resolve, reject) => {
      const listening = createServer((req, res) => {
        if (!segments?.serve(req, res)) app(req, res);
      }).listen(config.port, config.host, () => resolve(listening));
      listening.once('error', reject);
    });
    // Uploads of large files can be slow; only a fully idle socket is cut.
    server.requestTimeout = 0;
    server.headersTimeout = 30_000;
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    logger.info('api listening', { port, host: config.host });
    return port;
  }

  async function stop(): Promise<void> {
    // Each step on its own: one failing must not skip the others.
    resumable?.stop();
    try {
      if (server) {
        const closing = new Promise<void>((resolve) => server?.close(() => resolve()));
        // Keep-alive sockets would hold close() open until they time out:
        // close each as soon as its request in flight is answered.
        const reaper = setInterval(() => server?.closeIdleConnections(), 100);
        server.closeIdleConnections();
        // Open SSE streams never finish on their own: end them, or close() would wait forever.
        jobEvents?.streams.closeAll();
        slots?.close();
        // Uploads in flight get the grace to finish; an orchestrator kills
        // the process soon after (SIGKILL), which would leak their files.
        if ((await withinGrace(closing, config.shutdownGraceSeconds * 1000)) === 'grace over') {
          logger.warn('shutdown grace over: aborting uploads in flight', { uploads: slots?.size ?? 0 });
          await slots?.abortAll();
          server.closeAllConnections();
        }
        await closing.finally(() => clearInterval(reaper));
      }
    } catch (err) {
      logger.warn('closing the http server failed', describeError(err));
    }
    try {
      await webhooks?.close();
    } catch (err) {
      logger.warn('closing the webhook queue failed', describeError(err));
    }
    try {
      await jobEvents?.hub.close();
    } catch (err) {
      logger.warn('closing the job events reader failed', describeError(err));
    }
    try {
      await board?.close();
      await inspector?.close();
      await queue?.close();
    } catch (err) {
      logger.warn('closing the queue failed', describeError(err));
    }
    for (const client of [purgeListener, limiterRedis, redis]) {
      try {
        await client?.quit();
      } catch {
        client?.disconnect();
      }
    }
    // Last: uploads aborted above delete their bucket copies through it.
    try {
      mediaStorage?.close?.();
    } catch (err) {
      logger.warn('closing the storage failed', describeError(err));
    }
    logger.info('api stopped');
  }

  return {
    start,
    stop,
    app: () => {
      if (!express) throw new Error('api not started');
      return express;
    },
  };
}

/** Waits for `work`, at most `ms`. */
async function withinGrace(work: Promise<void>, ms: number): Promise<'done' | 'grace over'> {
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'grace over'>((resolve) => {
    timer = setTimeout(() => resolve('grace over'), ms);
  });
  try {
    return await Promise.race([work.then(() => 'done' as const), graceOver]);
  } finally {
    clearTimeout(timer);
  }
}
