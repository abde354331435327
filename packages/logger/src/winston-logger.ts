import winston from 'winston';
import type { Logger, LogMeta } from './logger';

export interface WinstonOptions {
  readonly level: string;
  /** `api`, `worker`…: added to every line. */
  readonly service: string;
  /** Tests pass `true` to keep jest output clean. */
  readonly silent?: boolean;
}

/**
 * The apps' logger: one JSON object per line on stdout, as log shippers
 * expect. Only apps call this; packages receive the `Logger` interface.
 */
export function createWinstonLogger(options: WinstonOptions): Logger {
  const base = winston.createLogger({
    level: options.level,
    silent: options.silent ?? false,
    defaultMeta: { service: options.service },
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console()],
  });
  return wrap(base);
}

function wrap(target: winston.Logger): Logger {
  return {
    debug: (message: string, meta?: LogMeta) => void target.debug(message, meta),
    info: (message: string, meta?: LogMeta) => void target.info(message, meta),
    warn: (message: string, meta?: LogMeta) => void target.warn(message, meta),
    error: (message: string, meta?: LogMeta) => void target.error(message, meta),
    child: (meta: LogMeta) => wrap(target.child(meta)),
  };
}
