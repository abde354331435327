import { describeError, type Logger } from '@stream-server/logger';

export interface ProcessLifecycle {
  readonly logger: Logger;
  /** Brings the process's services up. */
  start(): Promise<void>;
  /** Shutdown steps, run in order, each on its own: one failing does not skip the rest. */
  readonly stopSteps: ReadonlyArray<() => Promise<void>>;
}

/**
 * The entry-point life of every process: start, and on the first SIGTERM
 * or SIGINT run the stop steps and exit 0 (1 if a step failed). A failure
 * to start prints one line (no stack: it is meant for the operator) and
 * exits 1.
 */
export function runService(lifecycle: () => ProcessLifecycle): void {
  let current: ProcessLifecycle;
  try {
    current = lifecycle();
  } catch (err) {
    fail(err);
    return;
  }
  const { logger } = current;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    let ok = true;
    for (const step of current.stopSteps) {
      try {
        await step();
      } catch (err) {
        ok = false;
        logger.error('shutdown step failed', describeError(err));
      }
    }
    process.exit(ok ? 0 : 1);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  current.start().catch(fail);
}

function fail(err: unknown): void {
  // eslint-disable-next-line no-console -- one plain line for the operator, also before any logger exists.
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
