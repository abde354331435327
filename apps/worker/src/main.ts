import { loadConfig } from '@stream-server/config';
import { createWinstonLogger } from '@stream-server/logger';
import { runService } from '@stream-server/runtime';
import { createWorkerApp } from './worker-app';

/** `npm run start:worker`: one worker process of a fleet. */
runService(() => {
  const config = loadConfig();
  const logger = createWinstonLogger({ level: config.logLevel, service: 'worker' });
  const worker = createWorkerApp(config, logger);
  return { logger, start: () => worker.start(), stopSteps: [() => worker.stop()] };
});
