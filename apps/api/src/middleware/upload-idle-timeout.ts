import type { RequestHandler } from 'express';
import { TooSlowError } from '@stream-server/errors';
import { cutOffUpload } from './cut-off-upload';

/**
 * Cuts off an upload that sends nothing for `idleMs` (a slow-loris client
 * holding a connection and a file descriptor open): 408 JSON, then the
 * connection is closed. Only idleness counts here; a trickle that is never
 * quite idle is uploadMinRate's to catch.
 */
export function uploadIdleTimeout(idleMs: number): RequestHandler {
  return (req, res, next) => {
    const socket = req.socket;
    const onTimeout = () =>
      cutOffUpload(
        req,
        res,
        new TooSlowError(
          'UPLOAD_TIMEOUT',
          `No data arrived for ${Math.round(idleMs / 1000)} s, so the upload was cut off.`,
        ),
      );
    // Through the request, not the socket: Node destroys a timed-out socket
    // unless the request (or response) handles the 'timeout' event.
    req.setTimeout(idleMs, onTimeout);
    const disarm = () => {
      req.removeListener('timeout', onTimeout);
      socket.setTimeout(0);
    };
    // Once the whole body is in, the client is idle because we are working
    // (probing, queueing): that is not its silence, and it gets its answer.
    req.once('end', disarm);
    res.once('close', disarm);
    next();
  };
}
