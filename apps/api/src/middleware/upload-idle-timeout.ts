import type { RequestHandler } from 'express';

/**
 * Cuts off an upload that sends nothing for `idleMs` (a slow-loris client
 * holding a connection and a file descriptor open): 408 JSON, then the
 * connection is closed. Only idleness counts: a slow but steady upload of
 * a big file is never cut.
 */
export function uploadIdleTimeout(idleMs: number): RequestHandler {
  return (req, res, next) => {
    const socket = req.socket;
    const onTimeout = () => {
      if (!res.headersSent) {
        res.setHeader('Connection', 'close');
        res.status(408).json({
          error: `No data arrived for ${Math.round(idleMs / 1000)} s, so the upload was cut off.`,
          code: 'UPLOAD_TIMEOUT',
        });
      }
      // The body will never end: close once the answer is flushed (end()
      // sends it first, destroy() would drop it), and make sure it goes.
      socket.end();
      setTimeout(() => socket.destroy(), 1_000).unref();
    };
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
