import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pingRedis } from '@stream-server/queue';
import type { Logger } from '@stream-server/logger';

export interface EmbeddedRedis {
  readonly url: string;
  stop(): Promise<void>;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** True when REDIS_URL names this machine, so starting a server there makes sense. */
export function isLocalRedisUrl(url: string): boolean {
  try {
    return LOCAL_HOSTS.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Starts redis-server for the laptop setup, with AOF on (so queued jobs
 * survive a restart) and data under STORAGE_DIR/redis. It runs as our
 * child and is shut down (SHUTDOWN, flushing the AOF) when we stop.
 */
export async function startEmbeddedRedis(url: string, storageDir: string, logger: Logger): Promise<EmbeddedRedis> {
  const parsed = new URL(url);
  const port = parsed.port === '' ? '6379' : parsed.port;
  const dir = path.join(storageDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      port,
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await pingRedis(url, 500))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start on port ${port} (is the port taken?)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  logger.info('started an embedded redis-server (AOF on)', { url, dir, pid: child.pid });
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      // SIGTERM makes redis-server flush the AOF and exit cleanly.
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
