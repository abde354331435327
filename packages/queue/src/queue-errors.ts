import { DomainError, UnavailableError } from '@stream-server/errors';

/** The one error every Redis failure on a request path becomes (503). */
export function queueUnavailable(): UnavailableError {
  return new UnavailableError(
    'QUEUE_UNAVAILABLE',
    'The job queue (Redis) is not reachable right now; try again shortly.',
  );
}

/** Runs a queue operation; domain errors pass, anything else (Redis down, timeouts) becomes queueUnavailable. */
export async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw queueUnavailable();
  }
}
