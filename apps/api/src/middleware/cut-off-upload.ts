import type { Request, Response } from 'express';
import type { DomainError } from '@stream-server/errors';
import { toErrorResponse } from './error-handler';

/** How long a cut-off client gets to read its answer before the socket is destroyed. */
const FLUSH_MS = 1_000;

/**
 * Ends an upload whose body is still coming: answers `err` as JSON (mapped
 * like every other error) unless an answer already went out, then closes
 * the connection. The body will never be read to its end, so the socket
 * must go: end() first so the answer is flushed (destroy() would drop it),
 * then destroy() in case the client never closes its side.
 */
export function cutOffUpload(
  req: Request,
  res: Response,
  err: DomainError,
  headers: Readonly<Record<string, string>> = {},
): void {
  const socket = req.socket;
  if (!res.headersSent) {
    const { status, body } = toErrorResponse(err);
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.setHeader('Connection', 'close');
    res.status(status).json(body);
  }
  socket.end();
  setTimeout(() => socket.destroy(), FLUSH_MS).unref();
}
