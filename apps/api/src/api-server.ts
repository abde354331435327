import type { Server } from 'node:http';
import type { Redis } from 'ioredis';
import type { Express } from 'express';
import type { Config } from '@stream-server/config';
import { FfmpegRepository, setUpFfmpeg } from '@stream-server/ffmpeg';
import { createRedis, FleetRegistry, TranscodeQueue } from '@stream-server/jobs';
import { describeError, type Logger } from '@stream-server/logger';
import { StorageLayout, StorageRepository } from '@stream-server/storage';
import { createApp } from './app';
import { createRateLimiters } from './middleware/rate-limits';
import { Authenticator } from './auth/authenticator';
import { PlaybackSigner } from './playback/playback-signer';
import { CodecAvailability } from './services/codec-availability';
import { JobService } from './services/job-service';
import { TranscodeService } from './services/transcode-service';
import { UploadStorage } from './upload/upload-storage';

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
  let redis: Redis | undefined;
  let limiterRedis: Redis | undefined;
  let queue: TranscodeQueue | undefined;
  let server: Server | undefined;
  let express: Express | undefined;

  async function start(): Promise<number> {
    const storage = new StorageRepository(new StorageLayout(config.storageDir));
    await storage.ensureLayout();
    const { binaries, codecs: localCodecs } = await setUpFfmpeg(
      { ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath },
      logger,
    );

    redis = createRedis(config.redisUrl, 'producer');
    redis.on('error', (err: Error) => logger.warn('redis connection error', { error: err.message }));
    queue = new TranscodeQueue(redis, {
      prefix: config.queuePrefix,
      attempts: config.jobAttempts,
      retentionDays: config.jobRetentionDays,
    });
    const ffmpeg = new FfmpegRepository(binaries, logger);
    const authenticator = Authenticator.fromConfig(config);
    limiterRedis = createRedis(config.redisUrl, 'rate-limit');
    limiterRedis.on('error', () => undefined); // the main connection logs outages
    const rateLimits = createRateLimiters(limiterRedis, {
      submitsPerMinute: config.rateLimitSubmitsPerMinute,
      readsPerMinute: config.rateLimitReadsPerMinute,
      prefix: config.queuePrefix,
      perCredential: authenticator.enabled,
    });
    const codecs = new CodecAvailability(new FleetRegistry(redis, config.queuePrefix), localCodecs);
    express = createApp({
      rateLimits,
      trustProxy: config.trustProxy,
      logger,
      allowedOrigins: config.allowedOrigins,
      maxUploadBytes: config.maxUploadBytes,
      uploadIdleTimeoutMs: config.uploadIdleTimeoutSeconds * 1000,
      queue,
      transcode: new TranscodeService(storage, ffmpeg, queue, codecs, config, logger),
      jobs: new JobService(queue, storage),
      uploads: new UploadStorage(storage.layout),
      authenticator,
      playback: config.playbackSigningKey
        ? new PlaybackSigner(config.playbackSigningKey, config.playbackTokenTtlSeconds)
        : undefined,
    });

    const app = express;
    server = await new Promise<Server>((resolve, reject) => {
      const listening = app.listen(config.port, config.host, () => resolve(listening));
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
    try {
      if (server) {
        const closing = new Promise<void>((resolve) => server?.close(() => resolve()));
        // Keep-alive sockets would hold close() open until they time out:
        // close each as soon as its request in flight is answered.
        const reaper = setInterval(() => server?.closeIdleConnections(), 100);
        server.closeIdleConnections();
        await closing.finally(() => clearInterval(reaper));
      }
    } catch (err) {
      logger.warn('closing the http server failed', describeError(err));
    }
    try {
      await queue?.close();
    } catch (err) {
      logger.warn('closing the queue failed', describeError(err));
    }
    for (const client of [limiterRedis, redis]) {
      try {
        await client?.quit();
      } catch {
        client?.disconnect();
      }
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
