import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pingRedis } from '@stream-server/queue';
import { freePort } from './processes';

/**
 * Makes `npm test` work on a machine with redis-server installed but not
 * running: if nothing answers at TEST_REDIS_URL (default 127.0.0.1:6379),
 * start a throwaway redis-server on a free port for this run. Tests read
 * TEST_REDIS_URL, which jest workers inherit.
 */
export default async function globalSetup(): Promise<void> {
  const url = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  if (await pingRedis(url, 1_000)) {
    process.env['TEST_REDIS_URL'] = url;
    return;
  }
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'test-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    {
      stdio: 'ignore',
      detached: false,
    },
  );
  child.once('error', () => undefined);
  const ownUrl = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await pingRedis(ownUrl, 300))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`No Redis at ${url} and redis-server could not be started: install Redis or set TEST_REDIS_URL.`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  process.env['TEST_REDIS_URL'] = ownUrl;
  process.env['TEST_REDIS_PID'] = String(child.pid);
  child.unref();
}
