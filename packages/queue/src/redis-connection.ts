import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'producer' | 'worker' | 'rate-limit';

/** A request waits at most this long for Redis before it answers 503. */
const PRODUCER_COMMAND_TIMEOUT_MS = 3_000;

/**
 * One ioredis client per role. Producers (the API) fail fast while Redis is
 * down, so a request gets a 503 instead of hanging in an offline queue;
 * workers wait and retry forever, as BullMQ requires for blocking calls.
 * The rate limiter's client sits between the two. All reconnect by
 * themselves with a capped backoff.
 */
export function createRedis(url: string, role: RedisRole): Redis {
  const common: RedisOptions = {
    lazyConnect: false,
    connectionName: `stream-server:${role}`,
    retryStrategy: (times) => Math.min(200 * times, 2_000),
  };
  const options: RedisOptions =
    role === 'producer'
      ? // A Redis that is stopped, not gone (a partition, SIGSTOP), keeps the
        // socket open and never answers: commands time out instead of hanging.
        {
          ...common,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 2_000,
          commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS,
        }
      : role === 'rate-limit'
        ? // Queues its first commands (the limiter loads a script at start) but
          // gives up fast, so an outage fails open instead of stalling requests.
          { ...common, maxRetriesPerRequest: 1, commandTimeout: 500, connectTimeout: 2_000 }
        : { ...common, maxRetriesPerRequest: null };
  return new Redis(url, options);
}

/** True when something at `url` answers PING within `timeoutMs`. */
export async function pingRedis(url: string, timeoutMs = 1_500): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    // A failed probe must not keep the process alive for ioredis's 2 s default.
    disconnectTimeout: 50,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
