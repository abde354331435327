import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Queue } from 'bullmq';
import { Router, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES, type TranscodeQueue } from '@stream-server/jobs';
import { ROUTE_LABEL_LOCAL } from '../metrics/http-metrics';

export const ADMIN_QUEUES_PATH = '/admin/queues';

// Queues the board shows besides those in QUEUE_NAMES: add the webhook
// queue's name here if it is ever kept outside QUEUE_NAMES.
const EXTRA_QUEUE_NAMES: readonly string[] = [];

export interface QueueBoard {
  /** The board's router behind `authorize` (requireScope('admin')). */
  router(authorize: RequestHandler): Router;
  /** Closes the queue handles the board opened (not the transcode queue, which it borrows). */
  close(): Promise<void>;
}

/**
 * bull-board at /admin/queues: every queue named in QUEUE_NAMES (the
 * transcode queue, and the webhook queue once it is there), behind the
 * `admin` scope. Its page loads its own scripts and uses inline styles
 * and web fonts; it gets a CSP of its own, for this path only (still no
 * inline scripts).
 */
export function createQueueBoard(transcode: TranscodeQueue, connection: Redis, prefix: string): QueueBoard {
  const opened: Queue[] = [];
  const names: readonly string[] = [...Object.values(QUEUE_NAMES), ...EXTRA_QUEUE_NAMES];
  const queues = names.map((name) => {
    if (name === QUEUE_NAMES.transcode) return transcode.queue;
    const queue = new Queue(name, { connection, prefix });
    queue.on('error', () => undefined); // the API's own connection logs outages
    opened.push(queue);
    return queue;
  });
  const express = new ExpressAdapter();
  express.setBasePath(ADMIN_QUEUES_PATH);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter: express });

  const boardRouter: RequestHandler = express.getRouter();
  // Written out whole (no helmet defaults): the board's scripts are its own
  // files; its React styles are inline and its fonts come from Google.
  // No upgrade-insecure-requests: every request is same-origin, so over
  // HTTPS it adds nothing, and over plain HTTP on a LAN it breaks the page.
  const relaxedCsp = helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      baseUri: ["'self'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'", "'unsafe-inline'", 'https://fonts.googleapis.com'],
      fontSrc: ["'self'", 'https://fonts.gstatic.com', 'data:'],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'self'"],
    },
  });
  return {
    router(authorize) {
      const router = Router();
      const label: RequestHandler = (_req, res, next) => {
        res.locals[ROUTE_LABEL_LOCAL] = `${ADMIN_QUEUES_PATH}/*`;
        next();
      };
      router.use(ADMIN_QUEUES_PATH, label, authorize, relaxedCsp, boardRouter);
      return router;
    },
    async close() {
      await Promise.all(opened.map((queue) => queue.close().catch(() => undefined)));
    },
  };
}
