import { createApiServer } from '@stream-server/api';
import { loadConfig } from '@stream-server/config';
import { pingRedis } from '@stream-server/queue';
import { createWinstonLogger } from '@stream-server/logger';
import { runService } from '@stream-server/runtime';
import { createWorkerApp } from '@stream-server/worker';
import { hasRedisServer, isLocalRedisUrl, startEmbeddedRedis, type EmbeddedRedis } from './embedded-redis';

/**
 * `npm start`: the laptop setup. One process runs the API and one worker
 * (ffmpeg runs in child processes either way); if no Redis answers at
 * REDIS_URL it starts one, when redis-server is installed.
 */
runService(() => {
  const config = loadConfig();
  const logger = createWinstonLogger({ level: config.logLevel, service: 'stack' });
  const api = createApiServer(config, logger.child({ component: 'api' }));
  const worker = createWorkerApp(config, logger.child({ component: 'worker' }));
  let redis: EmbeddedRedis | undefined;

  async function start(): Promise<void> {
    // A cluster or sentinels are the operator's; only a single local Redis may be started here.
    if (config.redis.kind === 'single' && !(await pingRedis(config.redisUrl))) {
      if (!config.embeddedRedis || !isLocalRedisUrl(config.redisUrl) || !hasRedisServer()) {
        throw new Error(
          `No Redis answers at ${config.redisUrl}: start one (apt-get install redis-server, or docker compose up redis) or set REDIS_URL.`,
        );
      }
      redis = await startEmbeddedRedis(config.redisUrl, config.storageDir, logger);
    }
    await worker.start();
    const port = await api.start();
    logger.info(`stream-server ready on http://localhost:${port}`);
  }

  // The API first, so no new work arrives while the worker winds down.
  return { logger, start, stopSteps: [() => api.stop(), () => worker.stop(), async () => redis?.stop()] };
});
