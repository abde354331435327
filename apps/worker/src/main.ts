import { loadConfig } from '@stream-server/config';
import { createWinstonLogger, describeError } from '@stream-server/logger';
import { createWorkerApp } from './worker-app';

/** `npm run start:worker`: one worker process of a fleet. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createWinstonLogger({ level: config.logLevel, service: 'worker' });
  const app = createWorkerApp(config, logger);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', describeError(err));
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  await app.start();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
