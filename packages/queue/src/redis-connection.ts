import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisTarget } from '@stream-server/config';

export type RedisRole = 'producer' | 'worker' | 'rate-limit';

/** A connection to a single Redis, a Sentinel-managed master, or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/** A request waits at most this long for Redis before it answers 503. */
const PRODUCER_COMMAND_TIMEOUT_MS = 3_000;

/**
 * One ioredis client per role. Producers (the API) fail fast while Redis is
 * down, so a request gets a 503 instead of hanging in an offline queue;
 * workers wait and retry forever, as BullMQ requires for blocking calls.
 * The rate limiter's client sits between the two. All reconnect by
 * themselves with a capped backoff.
 */
export function createRedis(target: RedisTarget, role: RedisRole): RedisClient {
  const options = roleOptions(role);
  switch (target.kind) {
    case 'single':
      return new Redis(target.url, options);
    case 'sentinel':
      // ioredis asks the sentinels for the master on every (re)connect. A
      // dead master drops the connection; a demoted one that lives on
      // answers READONLY, which reconnects (and retries the command).
      // ioredis's failoverDetector is left off: its disconnect can land in
      // the middle of a reconnect, and ioredis then ends the client for good.
      return new Redis({
        ...credentialsOf(target.url),
        ...options,
        sentinels: target.sentinels.map(({ host, port }) => ({ host, port })),
        name: target.name,
        reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
      });
    case 'cluster': {
      // Cluster-wide settings go to the Cluster; the rest to each node's client.
      const { retryStrategy: _perNode, enableOfflineQueue, ...nodeOptions } = options;
      return new Cluster(
        target.nodes.map(({ host, port }) => ({ host, port })),
        {
          redisOptions: { ...credentialsOf(target.url), ...nodeOptions },
          enableOfflineQueue: enableOfflineQueue ?? true,
          clusterRetryStrategy: (times) => Math.min(200 * times, 2_000),
        },
      );
    }
  }
}

/**
 * What REDIS_URL says besides the host: credentials, database, TLS. With a
 * cluster or sentinels the nodes come from their own list.
 */
function credentialsOf(url: string): RedisOptions {
  const parsed = new URL(url);
  const db = Number(parsed.pathname.replace(/^\//, '') || '0');
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

function roleOptions(role: RedisRole): RedisOptions {
  const common: RedisOptions = {
    lazyConnect: false,
    connectionName: `stream-server:${role}`,
    retryStrategy: (times) => Math.min(200 * times, 2_000),
  };
  return role === 'producer'
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

/**
 * A second connection like `client` (for SUBSCRIBE or a blocking read,
 * which hold their connection): to the same node, master or cluster.
 */
export function duplicateRedis(
  client: RedisClient,
  overrides: { readonly enableOfflineQueue?: boolean; readonly connectionName?: string } = {},
): RedisClient {
  if (!(client instanceof Cluster)) return client.duplicate(overrides);
  const { connectionName, ...clusterWide } = overrides;
  return client.duplicate([], {
    ...clusterWide,
    redisOptions: { ...client.options.redisOptions, ...(connectionName ? { connectionName } : {}) },
  });
}

/**
 * SCRIPT LOAD where EVALSHA will look for it: on a cluster, every master
 * (a script cache is per node, and the key decides the node later).
 * Resolves with the script's SHA1.
 */
export async function loadScript(client: RedisClient, script: string): Promise<string> {
  const masters = client instanceof Cluster ? client.nodes('master') : [];
  // A cluster not yet connected knows no node: the command then waits for it.
  const hosts = masters.length > 0 ? masters : [client];
  const shas = await Promise.all(hosts.map((host) => host.call('SCRIPT', 'LOAD', script)));
  const sha = shas[0];
  if (typeof sha !== 'string') throw new TypeError('SCRIPT LOAD did not answer a SHA1');
  return sha;
}
