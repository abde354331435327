/**
 * The small logging interface every package takes. Apps own the real
 * implementation (winston); packages never import a logging library, so
 * they stay testable and the worker and API can log differently.
 */
export type LogMeta = Record<string, unknown>;

export interface Logger {
  debug(message: string, meta?: LogMeta): void;
  info(message: string, meta?: LogMeta): void;
  warn(message: string, meta?: LogMeta): void;
  error(message: string, meta?: LogMeta): void;
  /** A logger that adds `meta` to every line (e.g. `{ job_id }`). */
  child(meta: LogMeta): Logger;
}

/** Discards everything; the default where a caller passes no logger. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/** Turns any thrown value into something safe to put in log metadata. */
export function describeError(err: unknown): LogMeta {
  if (err instanceof Error) {
    return { error: err.message, error_name: err.name, stack: err.stack };
  }
  return { error: String(err) };
}
