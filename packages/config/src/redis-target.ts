export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

/**
 * Where Redis is. `url` always carries the credentials, database and TLS
 * choice (`rediss://`); with `cluster` or `sentinel` its host is not used.
 */
export type RedisTarget =
  | { readonly kind: 'single'; readonly url: string }
  | { readonly kind: 'cluster'; readonly url: string; readonly nodes: readonly RedisNode[] }
  | {
      readonly kind: 'sentinel';
      readonly url: string;
      readonly sentinels: readonly RedisNode[];
      readonly name: string;
    };

/** The Redis settings, parsed. */
interface RedisSettings {
  readonly url: string;
  readonly clusterNodes: readonly RedisNode[] | undefined;
  readonly sentinels: readonly RedisNode[] | undefined;
  readonly sentinelName: string;
  readonly waitReplicas: number;
}

/** Which kind of Redis the settings name, or the problem with them. Pure. */
export function resolveRedisTarget(settings: RedisSettings): RedisTarget | string {
  const { url, clusterNodes, sentinels, sentinelName, waitReplicas } = settings;
  if (clusterNodes && sentinels) return 'REDIS_CLUSTER_NODES and REDIS_SENTINELS: set one of them, not both';
  if (clusterNodes && waitReplicas > 0) {
    return 'REDIS_WAIT_REPLICAS: not with REDIS_CLUSTER_NODES (WAIT answers for one node); set min-replicas-to-write on the cluster instead';
  }
  if (clusterNodes) return { kind: 'cluster', url, nodes: clusterNodes };
  if (sentinels) return { kind: 'sentinel', url, sentinels, name: sentinelName };
  return { kind: 'single', url };
}
