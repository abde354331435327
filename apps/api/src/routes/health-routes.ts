import { Router } from 'express';
import { DomainError } from '@stream-server/errors';
import type { StorageHealth } from '@stream-server/storage';

const CHECK_TIMEOUT_MS = 2_000;

/** What /health checks: Redis takes writes, and the storage has room. */
export interface HealthChecks {
  /** Resolves when Redis takes a write; throws a DomainError that says what is wrong otherwise. */
  redisWritable(): Promise<void>;
  storage(): Promise<StorageHealth>;
}

const STORAGE_PROBLEMS: Readonly<Record<Exclude<StorageHealth, 'ok'>, { error: string; code: string }>> = {
  full: { error: 'The storage volume is full: uploads cannot be stored.', code: 'STORAGE_FULL' },
  unwritable: {
    error:
      'The storage is not writable: STORAGE_DIR, or with STORAGE_DRIVER=s3 its bucket, refuses or does not answer.',
    code: 'STORAGE_UNAVAILABLE',
  },
};

/**
 * `GET /health`: 200 when Redis takes writes and the storage has room (the
 * API can take and serve jobs), 503 otherwise, saying which: `redis` is
 * `up` or `down` (with why: unreachable, not answering, out of memory…),
 * `storage` is `ok`, `full` or `unwritable`.
 */
export function healthRoutes(checks: HealthChecks): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const [redis, storage] = await Promise.all([
      withTimeout(checks.redisWritable(), CHECK_TIMEOUT_MS).then(
        () => null,
        (err: unknown) =>
          err instanceof DomainError ? err.message : 'Redis is not answering; jobs cannot be submitted or read.',
      ),
      // A bucket that does not answer must not hold /health open.
      withTimeout(checks.storage(), CHECK_TIMEOUT_MS).catch((): StorageHealth => 'unwritable'),
    ]);
    if (redis === null && storage === 'ok') {
      res.json({ status: 'ok', redis: 'up', storage });
      return;
    }
    const problem =
      redis !== null
        ? { error: redis, code: 'REDIS_UNAVAILABLE' }
        : STORAGE_PROBLEMS[storage === 'ok' ? 'full' : storage];
    res.status(503).json({ status: 'unavailable', redis: redis === null ? 'up' : 'down', storage, ...problem });
  });
  return router;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
