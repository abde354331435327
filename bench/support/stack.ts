import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { ENTRY, freePort, onCleanup, startNode, waitFor, waitForHttp, type Child } from './processes';

const REDIS_URL = 'redis://127.0.0.1:6379';

let profileDir: string | null = null;
/** `--cpu-prof`: every API process writes a V8 CPU profile there when it exits. */
export function setApiProfileDir(dir: string): void {
  profileDir = dir;
}

export interface BenchStack {
  readonly baseUrl: string;
  readonly prefix: string;
  readonly storageDir: string;
  readonly redis: Redis;
  readonly api: Child;
  readonly workers: Child[];
  /** Starts one more worker process and waits until it has joined the fleet. */
  addWorker(): Promise<Child>;
  stop(): Promise<void>;
}

export interface StackOptions {
  readonly workers: number;
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Run as an operator would out of the box: only where to find Redis,
   * storage and the port are set, so rate limits and `info` logging stay
   * at their defaults (else they are off, to measure the code path alone).
   */
  readonly defaults?: boolean;
  /** Extra node flags for the API process (e.g. --cpu-prof). */
  readonly apiNodeArgs?: readonly string[];
}

/**
 * The production processes (apps/api/dist/main.js, apps/worker/dist/main.js)
 * configured through env vars as an operator would, on the local Redis with
 * a unique QUEUE_PREFIX and a temp STORAGE_DIR; `stop()` kills them and
 * deletes both the keys and the dir.
 */
export async function startStack(name: string, options: StackOptions): Promise<BenchStack> {
  const storageDir = await mkdtemp(path.join(os.tmpdir(), `stream-bench-${name}-`));
  const prefix = `bench-${name}-${randomUUID().slice(0, 8)}`;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const port = await freePort();
  const env: Record<string, string> = {
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    STORAGE_DIR: storageDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    ...(options.defaults
      ? {}
      : {
          LOG_LEVEL: 'error',
          RATE_LIMIT_SUBMITS_PER_MINUTE: '0',
          RATE_LIMIT_READS_PER_MINUTE: '0',
          EMBEDDED_REDIS: 'false',
        }),
    ...options.env,
  };
  let stopped = false;
  const workers: Child[] = [];
  const addWorker = async (): Promise<Child> => {
    const before = await redis.zcard(`${prefix}:fleet`);
    const worker = startNode(`worker-${workers.length + 1}`, ENTRY.worker, env);
    workers.push(worker);
    let dead = false;
    void worker.exited.then(() => (dead = true));
    await waitFor(
      async () => {
        if (dead) throw new Error(`worker exited during start:\n${worker.output()}`);
        return (await redis.zcard(`${prefix}:fleet`)) > before ? true : undefined;
      },
      30_000,
      'a worker to join the fleet',
    );
    // Joined the fleet ⇒ capabilities probed; BullMQ's blocking connection
    // follows within a few ms.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return worker;
  };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all([api, ...workers].map((child) => child.stop(3_000)));
    await deleteKeys(redis, prefix).catch(() => undefined);
    redis.disconnect();
    await rm(storageDir, { recursive: true, force: true });
  };
  onCleanup(stop);

  const profile = profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=api-${name}-${prefix}.cpuprofile`]
    : [];
  const api = startNode('api', ENTRY.api, env, [...profile, ...(options.apiNodeArgs ?? [])]);
  await waitForHttp(`http://127.0.0.1:${port}/health`, api);
  for (let i = 0; i < options.workers; i++) await addWorker();
  return { baseUrl: `http://127.0.0.1:${port}`, prefix, storageDir, redis, api, workers, addWorker, stop };
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}
