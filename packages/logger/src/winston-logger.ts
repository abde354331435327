import winston from 'winston';
import { currentLogContext } from './log-context';
import type { Logger, LogMeta } from './logger';

export interface WinstonOptions {
  readonly level: string;
  /** `api`, `worker`…: added to every line. */
  readonly service: string;
  /** Tests pass `true` to keep jest output clean. */
  readonly silent?: boolean;
  /** Where lines go instead of stdout (tests read them back). */
  readonly stream?: NodeJS.WritableStream;
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
    transports: [
      options.stream ? new winston.transports.Stream({ stream: options.stream }) : new winston.transports.Console(),
    ],
  });
  return wrap(base);
}

// The async context (request or job ids) first: a line's own fields win.
const withContext = (meta: LogMeta | undefined): LogMeta => ({ ...currentLogContext(), ...meta });

function wrap(target: winston.Logger): Logger {
  // winston formats (timestamp, JSON) every line before its transport drops
  // the ones below the level: check first, so a per-request `info` costs
  // nothing at LOG_LEVEL=warn/error.
  return {
    debug: (message: string, meta?: LogMeta) =>
      void (target.isDebugEnabled() && target.debug(message, withContext(meta))),
    info: (message: string, meta?: LogMeta) => void (target.isInfoEnabled() && target.info(message, withContext(meta))),
    warn: (message: string, meta?: LogMeta) => void (target.isWarnEnabled() && target.warn(message, withContext(meta))),
    error: (message: string, meta?: LogMeta) => void target.error(message, withContext(meta)),
    child: (meta: LogMeta) => wrap(target.child(meta)),
  };
}
