import { AsyncLocalStorage } from 'node:async_hooks';
import type { LogMeta } from './logger';

const context = new AsyncLocalStorage<LogMeta>();

/**
 * Runs `fn` with `meta` (e.g. `{ request_id }`, `{ job_id }`) added to every
 * line the apps' logger writes from within it, including lines of packages
 * that only hold the process-wide logger (ffmpeg's command and stderr
 * tail), so one id ties a request's or a job's lines together. Nested
 * calls add to the outer context.
 */
export function runWithLogContext<T>(meta: LogMeta, fn: () => T): T {
  return context.run({ ...context.getStore(), ...meta }, fn);
}

/** The context of the code running now ({} outside any). */
export function currentLogContext(): LogMeta {
  return context.getStore() ?? {};
}
