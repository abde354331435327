import { loadConfig } from '@stream-server/config';
import { createWinstonLogger, describeError } from '@stream-server/logger';
import { createApiServer } from './api-server';

/** `npm run start:api`: one API process (several may share a Redis). */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createWinstonLogger({ level: config.logLevel, service: 'api' });
  const api = createApiServer(config, logger);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    api.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', describeError(err));
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  await api.start();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
