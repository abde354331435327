import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@stream-server/logger';
import { startEmbeddedRedis, type EmbeddedRedis } from '@stream-server/stack';
import { freePort } from './processes';

export interface TestRedis {
  readonly url: string;
  /** Stops it as an operator would (SIGTERM: the AOF is flushed). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data dir (AOF replayed). */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

/**
 * A private redis-server for fault tests: its own port and data dir, with
 * AOF on, so a test can stop and restart it (SIGTERM flushes the AOF)
 * without touching the shared Redis. It is the same launcher `npm start`
 * uses for its embedded Redis.
 */
export async function startTestRedis(): Promise<TestRedis> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fault-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let server: EmbeddedRedis | undefined;

  async function start(): Promise<void> {
    server = await startEmbeddedRedis(url, dir, silentLogger);
  }

  async function stop(): Promise<void> {
    await server?.stop();
    server = undefined;
  }

  await start();
  return {
    url,
    start,
    stop,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
