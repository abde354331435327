import { describeError, type Logger } from '@stream-server/logger';

/** Runs one step of a shutdown; a failure is logged and never skips the steps after it. */
export async function runCleanup(
  cleanup: () => Promise<unknown> | undefined,
  what: string,
  logger: Logger,
): Promise<void> {
  try {
    await cleanup();
  } catch (err) {
    logger.warn(`${what} failed`, describeError(err));
  }
}
