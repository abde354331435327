export { silentLogger, describeError, type Logger, type LogMeta } from './logger';
export { createWinstonLogger, type WinstonOptions } from './winston-logger';
export { runWithLogContext, currentLogContext } from './log-context';
