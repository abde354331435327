import type { Cluster, Redis } from 'ioredis';
import { CODECS, type Codec } from '@stream-server/profiles';
import { jsonFields } from '@stream-server/jobs';

/** What a worker says about itself; the API reads it to refuse codecs nobody can write. */
export interface WorkerInfo {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly concurrency: number;
  readonly codecs: readonly Codec[];
  readonly ffmpegVersion: string;
  readonly startedAt: string;
}

/** A worker on line, with the ids of the jobs it is running right now. */
export interface OnlineWorker extends WorkerInfo {
  readonly currentJobs: readonly string[];
}

/** A worker counts as online for this long after its last heartbeat. */
export const WORKER_TTL_MS = 30_000;
export const HEARTBEAT_MS = 10_000;

/**
 * Workers on line, kept in Redis: a sorted set of worker ids scored by the
 * time their entry expires, and a hash of their descriptions. Reading the
 * fleet is two commands, with no SCAN over the keyspace.
 */
export class FleetRegistry {
  private readonly setKey: string;
  private readonly infoKey: string;

  constructor(
    private readonly redis: Redis | Cluster,
    prefix: string,
  ) {
    this.setKey = `${prefix}:fleet`;
    this.infoKey = `${prefix}:fleet:info`;
  }

  /**
   * Renews the worker's entry. With `currentJobs`, also rewrites its set of
   * running jobs, whose key lives as long as the entry: a crashed worker's
   * jobs vanish with it instead of staying "current" forever.
   */
  async heartbeat(info: WorkerInfo, now = Date.now(), currentJobs?: readonly string[]): Promise<void> {
    const multi = this.redis
      .multi()
      .zadd(this.setKey, now + WORKER_TTL_MS, info.id)
      .hset(this.infoKey, info.id, JSON.stringify(info));
    if (currentJobs) {
      const key = this.jobsKey(info.id);
      multi.del(key);
      if (currentJobs.length > 0) multi.sadd(key, ...currentJobs).pexpire(key, WORKER_TTL_MS);
    }
    await multi.exec();
  }

  /** A job started on this worker (between heartbeats, so dashboards see it at once). */
  async jobStarted(workerId: string, jobId: string): Promise<void> {
    const key = this.jobsKey(workerId);
    await this.redis.multi().sadd(key, jobId).pexpire(key, WORKER_TTL_MS).exec();
  }

  async jobEnded(workerId: string, jobId: string): Promise<void> {
    await this.redis.srem(this.jobsKey(workerId), jobId);
  }

  async leave(workerId: string): Promise<void> {
    await this.redis
      .multi()
      .zrem(this.setKey, workerId)
      .hdel(this.infoKey, workerId)
      .del(this.jobsKey(workerId))
      .exec();
  }

  /** Online workers with their running jobs: 2 + one SMEMBERS per worker, pipelined. */
  async onlineWithJobs(now = Date.now()): Promise<OnlineWorker[]> {
    const workers = await this.online(now);
    if (workers.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const worker of workers) pipeline.smembers(this.jobsKey(worker.id));
    const results = (await pipeline.exec()) ?? [];
    return workers.map((worker, index) => {
      const [err, members] = results[index] ?? [null, []];
      const jobs = !err && Array.isArray(members) ? members.filter((id): id is string => typeof id === 'string') : [];
      return { ...worker, currentJobs: jobs.sort() };
    });
  }

  async online(now = Date.now()): Promise<WorkerInfo[]> {
    const ids = await this.redis.zrangebyscore(this.setKey, now, '+inf');
    if (ids.length === 0) return [];
    const raw = await this.redis.hmget(this.infoKey, ...ids);
    return raw.flatMap((text) => {
      const info = text === null ? null : parseWorkerInfo(text);
      return info ? [info] : [];
    });
  }

  /** Removes entries of workers that stopped without leaving. */
  async prune(now = Date.now()): Promise<void> {
    const dead = await this.redis.zrangebyscore(this.setKey, '-inf', now);
    if (dead.length === 0) return;
    await this.redis
      .multi()
      .zrem(this.setKey, ...dead)
      .hdel(this.infoKey, ...dead)
      .exec();
  }

  async clear(): Promise<void> {
    const ids = await this.redis.zrangebyscore(this.setKey, '-inf', '+inf');
    await this.redis.del(this.setKey, this.infoKey, ...ids.map((id) => this.jobsKey(id)));
  }

  private jobsKey(workerId: string): string {
    return `${this.setKey}:jobs:${workerId}`;
  }
}

function parseWorkerInfo(text: string): WorkerInfo | null {
  const get = jsonFields(text);
  if (!get) return null;
  const id = get('id');
  const codecs = get('codecs');
  if (typeof id !== 'string' || !Array.isArray(codecs)) return null;
  const host = get('host');
  const pid = get('pid');
  const concurrency = get('concurrency');
  const ffmpegVersion = get('ffmpegVersion');
  const startedAt = get('startedAt');
  return {
    id,
    host: typeof host === 'string' ? host : 'unknown',
    pid: typeof pid === 'number' ? pid : 0,
    concurrency: typeof concurrency === 'number' ? concurrency : 1,
    codecs: CODECS.filter((codec) => codecs.includes(codec)),
    ffmpegVersion: typeof ffmpegVersion === 'string' ? ffmpegVersion : 'unknown',
    startedAt: typeof startedAt === 'string' ? startedAt : '',
  };
}
