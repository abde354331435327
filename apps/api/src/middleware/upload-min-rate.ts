import type { RequestHandler } from 'express';
import { TooSlowError } from '@stream-server/errors';
import { cutOffUpload } from './cut-off-upload';

const passThrough: RequestHandler = (_req, _res, next) => next();

/**
 * Cuts off an upload whose body arrives slower than `minBytesPerSecond`,
 * averaged over each `windowMs` since the request began: 408 JSON, then
 * the connection is closed. The idle timeout alone cannot catch a client
 * that sends a byte every few seconds; without a floor, such trickles
 * hold a socket, an upload slot and a file for as long as they like.
 * Averaging over a window lets a real client ride out a stall (a mobile
 * handover) without being cut. 0 turns the floor off.
 */
export function uploadMinRate(minBytesPerSecond: number, windowMs: number): RequestHandler {
  if (minBytesPerSecond <= 0) return passThrough;
  const minBytes = Math.ceil((minBytesPerSecond * windowMs) / 1000);
  return (req, res, next) => {
    const socket = req.socket;
    // Counted at the socket: a 'data' listener on the request would steal
    // the body from multer. Headers are already counted in the mark.
    let mark = socket.bytesRead;
    const timer = setInterval(() => {
      const received = socket.bytesRead - mark;
      mark = socket.bytesRead;
      if (received >= minBytes) return;
      // Bytes waiting in our own buffers, or a paused request, mean the
      // server is behind (disk back-pressure): not the client's slowness.
      if (req.readableLength > 0 || req.readableFlowing === false) return;
      stop();
      cutOffUpload(
        req,
        res,
        new TooSlowError(
          'UPLOAD_TOO_SLOW',
          `The upload sent ${received} bytes in ${Math.round(windowMs / 1000)} s; this server needs at least ` +
            `${minBytesPerSecond} bytes a second, so it was cut off.`,
        ),
      );
    }, windowMs);
    timer.unref();
    const stop = () => clearInterval(timer);
    // As with the idle timeout: once the body is in, the wait is ours.
    req.once('end', stop);
    res.once('close', stop);
    next();
  };
}
