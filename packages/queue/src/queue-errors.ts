import { DomainError, UnavailableError } from '@stream-server/errors';

const CODE = 'QUEUE_UNAVAILABLE';

/** The one error every Redis failure on a request path becomes (503). */
export function queueUnavailable(): UnavailableError {
  return new UnavailableError(CODE, 'The job queue (Redis) is not reachable right now; try again shortly.');
}

/** A new job that did not reach enough replicas in time, and was taken back (503). */
export function notReplicated(replicas: number): UnavailableError {
  return new UnavailableError(
    CODE,
    `The job queue (Redis) could not copy the job to ${replicas} replica(s) in time, so it was not queued; try again shortly.`,
  );
}

/**
 * What a Redis client's error says about Redis, as a 503 whose message
 * tells which it is (unreachable, not answering, refusing writes), or null
 * for an error that is not about Redis. ioredis's errors carry no codes:
 * these are its messages and Redis's own reply prefixes.
 */
export function redisFailure(err: unknown): UnavailableError | null {
  if (!(err instanceof Error)) return null;
  const message = err.message;
  if (message.startsWith('OOM ')) {
    return new UnavailableError(
      CODE,
      'The job queue (Redis) is refusing writes: it is out of memory (maxmemory); try again later.',
    );
  }
  if (message.startsWith('READONLY ')) {
    return new UnavailableError(
      CODE,
      'The job queue (Redis) is refusing writes: it is a read-only replica (a failover may be under way); try again shortly.',
    );
  }
  if (message.startsWith('NOREPLICAS ')) {
    return new UnavailableError(
      CODE,
      'The job queue (Redis) is refusing writes: too few replicas are in sync (min-replicas-to-write); try again shortly.',
    );
  }
  if (message.startsWith('CLUSTERDOWN ') || message.startsWith('TRYAGAIN ')) {
    return new UnavailableError(
      CODE,
      'The job queue (Redis Cluster) is not serving this slot right now (a failover may be under way); try again shortly.',
    );
  }
  if (message === 'Command timed out') {
    return new UnavailableError(
      CODE,
      'The job queue (Redis) is not answering (its commands time out); try again shortly.',
    );
  }
  if (
    err.name === 'MaxRetriesPerRequestError' ||
    message.startsWith("Stream isn't writeable") ||
    message.startsWith('Connection is closed') ||
    /\b(?:ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH)\b/.test(message)
  ) {
    return queueUnavailable();
  }
  return null;
}

/** Runs a queue operation; domain errors pass, anything else (Redis down, timeouts) becomes a 503 that says which. */
export async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw redisFailure(err) ?? queueUnavailable();
  }
}
