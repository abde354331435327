import { loadConfig } from '@stream-server/config';
import { createWinstonLogger } from '@stream-server/logger';
import { runService } from '@stream-server/runtime';
import { createApiServer } from './api-server';

/** `npm run start:api`: one API process (several may share a Redis). */
runService(() => {
  const config = loadConfig();
  const logger = createWinstonLogger({ level: config.logLevel, service: 'api' });
  const api = createApiServer(config, logger);
  return { logger, start: async () => void (await api.start()), stopSteps: [() => api.stop()] };
});
