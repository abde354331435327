import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Router, type RequestHandler } from 'express';
import helmet from 'helmet';
import {
  closeAdminQueues,
  openAdminQueues,
  queueUnavailable,
  redisFailure,
  type RedisClient,
} from '@stream-server/queue';
import { ROUTE_LABEL_LOCAL } from '../metrics/http-metrics';

const ADMIN_QUEUES_PATH = '/admin/queues';

// Queues the board shows besides those in QUEUE_NAMES: add the webhook
// queue's name here if it is ever kept outside QUEUE_NAMES.
const EXTRA_QUEUE_NAMES: readonly string[] = [];

export interface QueueBoard {
  /** The board's router behind `authorize` (requireScope('admin')). */
  router(authorize: RequestHandler): Router;
  /** Closes the queue handles the board opened. */
  close(): Promise<void>;
}

/**
 * bull-board at /admin/queues: every queue named in QUEUE_NAMES (the
 * transcode queue, and the webhook queue once it is there), behind the
 * `admin` scope. Its page loads its own scripts and uses inline styles
 * and web fonts; it gets a CSP of its own, for this path only (still no
 * inline scripts).
 */
export function createQueueBoard(connection: RedisClient, prefix: string): QueueBoard {
  const queues = openAdminQueues(connection, prefix, EXTRA_QUEUE_NAMES);
  const express = new ExpressAdapter();
  express.setBasePath(ADMIN_QUEUES_PATH);
  createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter: express });

  // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- @bull-board/express leaves its Express router untyped
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
      // The board answers its own 500 when Redis fails under it: its API
      // calls check Redis first, so an outage is the same 503 JSON as elsewhere.
      const redisUp: RequestHandler = (req, _res, next) => {
        if (!req.path.startsWith('/api/')) {
          next();
          return;
        }
        connection.ping().then(
          () => next(),
          (err: unknown) => next(redisFailure(err) ?? queueUnavailable()),
        );
      };
      router.use(ADMIN_QUEUES_PATH, label, authorize, redisUp, relaxedCsp, boardRouter);
      return router;
    },
    async close() {
      await closeAdminQueues(queues);
    },
  };
}
