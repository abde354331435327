import { createApiServer } from '@stream-server/api';
import { loadConfig } from '@stream-server/config';
import { pingRedis } from '@stream-server/jobs';
import { createWinstonLogger, describeError } from '@stream-server/logger';
import { createWorkerApp } from '@stream-server/worker';
import { hasRedisServer, isLocalRedisUrl, startEmbeddedRedis, type EmbeddedRedis } from './embedded-redis';

/**
 * `npm start`: the laptop setup. One process runs the API and one worker
 * (ffmpeg runs in child processes either way); if no Redis answers at
 * REDIS_URL it starts one, when redis-server is installed.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createWinstonLogger({ level: config.logLevel, service: 'stack' });

  let redis: EmbeddedRedis | undefined;
  if (!(await pingRedis(config.redisUrl))) {
    if (!config.embeddedRedis || !isLocalRedisUrl(config.redisUrl) || !hasRedisServer()) {
      console.error(
        `No Redis answers at ${config.redisUrl}: start one (apt-get install redis-server, or docker compose up redis) or set REDIS_URL.`,
      );
      process.exit(1);
    }
    redis = await startEmbeddedRedis(config.redisUrl, config.storageDir, logger);
  }

  const api = createApiServer(config, logger.child({ component: 'api' }));
  const worker = createWorkerApp(config, logger.child({ component: 'worker' }));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    // Each step on its own, the API first so no new work arrives.
    for (const step of [() => api.stop(), () => worker.stop(), () => redis?.stop() ?? Promise.resolve()]) {
      try {
        await step();
      } catch (err) {
        logger.error('shutdown step failed', describeError(err));
      }
    }
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await worker.start();
  const port = await api.start();
  logger.info(`stream-server ready on http://localhost:${port}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
