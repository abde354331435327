import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRedis } from '@stream-server/queue';
import { FleetRegistry } from '@stream-server/fleet';
import { ENTRY, ffmpegProcessesUsing, freePort, startProcess, waitFor, type RunningProcess } from './processes';

export interface Fleet {
  readonly baseUrl: string;
  /** The API's STORAGE_DIR (shared by every process unless `privateDisks`). */
  readonly storageDir: string;
  /** Every process's STORAGE_DIR: one, or one each with `privateDisks`. */
  readonly storageDirs: readonly string[];
  readonly workers: RunningProcess[];
  readonly api: RunningProcess;
  /** Starts one more worker process and waits until it is on line. */
  addWorker(): Promise<RunningProcess>;
  /** Live ffmpeg/ffprobe processes working on this fleet's files. */
  ffmpegProcesses(): string[];
  /** Entries under tmp/ and uploads/. */
  leftovers(): Promise<string[]>;
  /** SIGTERMs everything still running and returns their exit codes. */
  stop(): Promise<Array<number | null>>;
}

export interface FleetOptions {
  readonly redisUrl: string;
  readonly workers: number;
  readonly env?: Readonly<Record<string, string>>;
  /** Each process gets its own STORAGE_DIR, as on separate nodes (needs STORAGE_DRIVER=s3). */
  readonly privateDisks?: boolean;
}

/**
 * A fleet of real processes as the README starts it (`start:api` and
 * `start:worker` entry points) on one STORAGE_DIR and a unique QUEUE_PREFIX.
 */
export async function startFleet(name: string, options: FleetOptions): Promise<Fleet> {
  const storageDir = await mkdtemp(path.join(os.tmpdir(), `fleet-${name}-`));
  const storageDirs = [storageDir];
  /** The API's dir, or a new one for a process on its own node. */
  const diskFor = async (): Promise<string> => {
    if (!options.privateDisks) return storageDir;
    const dir = await mkdtemp(path.join(os.tmpdir(), `fleet-${name}-node-`));
    storageDirs.push(dir);
    return dir;
  };
  const prefix = `test-${name}-${randomUUID().slice(0, 8)}`;
  const port = await freePort();
  const env = {
    REDIS_URL: options.redisUrl,
    STORAGE_DIR: storageDir,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_SUBMITS_PER_MINUTE: '0',
    RATE_LIMIT_READS_PER_MINUTE: '0',
    ...options.env,
  };
  const workers: RunningProcess[] = [];
  const all: RunningProcess[] = [];

  /** Workers on line per the fleet registry; -1 while Redis does not answer. */
  async function onlineWorkers(): Promise<number> {
    const redis = createRedis({ kind: 'single', url: options.redisUrl }, 'worker');
    redis.on('error', () => undefined);
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<number>((resolve) => {
        timer = setTimeout(() => resolve(-1), 2_000);
      });
      return await Promise.race([new FleetRegistry(redis, prefix).online().then((list) => list.length), timeout]);
    } catch {
      return -1;
    } finally {
      clearTimeout(timer);
      redis.disconnect();
    }
  }

  async function addWorker(): Promise<RunningProcess> {
    const before = await onlineWorkers();
    const worker = startProcess(ENTRY.worker, { ...env, STORAGE_DIR: await diskFor() });
    workers.push(worker);
    all.push(worker);
    await waitFor(
      async () => ((await onlineWorkers()) > before ? true : undefined),
      30_000,
      () => `a worker (output: ${worker.output()})`,
    );
    return worker;
  }

  for (let i = 0; i < options.workers; i++) await addWorker();
  const api = startProcess(ENTRY.api, { ...env, PORT: String(port), HOST: '127.0.0.1' });
  all.push(api);
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => ((await fetch(`${baseUrl}/health`).catch(() => null))?.status === 200 ? true : undefined),
    30_000,
    () => `the API (output: ${api.output()})`,
  );

  return {
    baseUrl,
    storageDir,
    storageDirs,
    workers,
    api,
    addWorker,
    ffmpegProcesses: () => storageDirs.flatMap((dir) => ffmpegProcessesUsing(dir)),
    async leftovers() {
      const found: string[] = [];
      for (const root of storageDirs) {
        for (const dir of ['uploads', 'tmp']) {
          const entries = await readdir(path.join(root, dir)).catch(() => [] as string[]);
          found.push(...entries.map((entry) => `${dir}/${entry}`));
        }
      }
      return found;
    },
    async stop() {
      for (const proc of all)
        if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
      const codes = await Promise.all(all.map((proc) => proc.exited));
      const redis = createRedis({ kind: 'single', url: options.redisUrl }, 'producer');
      redis.on('error', () => undefined);
      try {
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length > 0) await redis.del(...keys);
      } catch {
        // the test's Redis may be gone already
      } finally {
        redis.disconnect();
      }
      for (const dir of storageDirs) await rm(dir, { recursive: true, force: true });
      return codes;
    },
  };
}
