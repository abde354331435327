import { Router } from 'express';
import type { TranscodeQueue } from '@stream-server/queue';

const PING_TIMEOUT_MS = 1_000;

/** `GET /health`: 200 when Redis answers (the API can serve), 503 otherwise. */
export function healthRoutes(queue: TranscodeQueue): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    try {
      await withTimeout(queue.ping(), PING_TIMEOUT_MS);
      res.json({ status: 'ok', redis: 'up' });
    } catch {
      res.status(503).json({
        status: 'unavailable',
        redis: 'down',
        error: 'Redis is not reachable; jobs cannot be submitted or read.',
        code: 'REDIS_UNAVAILABLE',
      });
    }
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
