import type { Request, RequestHandler, Response } from 'express';
import { UnavailableError } from '@stream-server/errors';
import { cutOffUpload } from '../middleware/cut-off-upload';
import type { UploadStorage } from './upload-storage';

/**
 * Seconds a refused client is told to wait. Slots free up as uploads end,
 * which takes seconds to minutes; a few seconds spreads the retries
 * without leaving a freed slot unused for long.
 */
const UPLOAD_RETRY_AFTER_SECONDS = 5;

/**
 * How long a stopping API waits for a job being queued to be answered. The
 * queue's Redis commands time out after a few seconds, so this is only a
 * backstop.
 */
const COMMIT_WAIT_MS = 10_000;

/**
 * The uploads this API process is receiving (and probing) right now.
 * Caps them at `max`: each one holds a socket, a file and a write stream,
 * so the excess is refused at once (503 + Retry-After) rather than
 * queued where it would hold its connection anyway. On shutdown it stops
 * taking uploads and can abort those still in flight.
 */
export class UploadSlots {
  private readonly inFlight = new Map<Request, Response>();
  /** Uploads whose job is being queued: they are answered, never cut off. */
  private readonly queueing = new WeakSet<Request>();
  private stopping = false;

  constructor(
    private readonly max: number,
    private readonly uploads: UploadStorage,
  ) {}

  /** Uploads in flight now. */
  get size(): number {
    return this.inFlight.size;
  }

  /** Middleware that takes a slot for the request, or refuses it. */
  admit(): RequestHandler {
    return (req, res, next) => {
      if (this.stopping) {
        res.setHeader('Retry-After', String(UPLOAD_RETRY_AFTER_SECONDS));
        res.setHeader('Connection', 'close');
        next(shuttingDown());
        return;
      }
      if (this.inFlight.size >= this.max) {
        res.setHeader('Retry-After', String(UPLOAD_RETRY_AFTER_SECONDS));
        // The body is not read: close the connection so the client stops sending.
        res.setHeader('Connection', 'close');
        next(
          new UnavailableError(
            'TOO_MANY_UPLOADS',
            `This server is receiving ${this.max} uploads already. Retry in ${UPLOAD_RETRY_AFTER_SECONDS} s.`,
          ),
        );
        return;
      }
      this.inFlight.set(req, res);
      // 'close' comes however the request ends: answered, cut off, client gone.
      res.once('close', () => this.inFlight.delete(req));
      next();
    };
  }

  /** The request's job is being queued: a shutdown lets it get its answer. */
  committing(req: Request): void {
    this.queueing.add(req);
  }

  /** Refuses new uploads from now on (the process is stopping). */
  close(): void {
    this.stopping = true;
  }

  /**
   * Ends every upload still in flight (503 SHUTTING_DOWN when nothing was
   * answered yet) and resolves once their files are deleted, so a process
   * that exits next leaves no upload behind.
   */
  async abortAll(): Promise<void> {
    this.close();
    const pending = [...this.inFlight];
    const answering: Array<Promise<void>> = [];
    for (const [req, res] of pending) {
      if (this.queueing.has(req)) answering.push(answered(res));
      else cutOffUpload(req, res, shuttingDown(), { 'Retry-After': String(UPLOAD_RETRY_AFTER_SECONDS) });
    }
    await Promise.all([
      ...answering,
      ...pending.map(([req]) => this.uploads.discardUploads(req).catch(() => undefined)),
    ]);
  }
}

/** Resolves when the response is done (or after COMMIT_WAIT_MS). */
function answered(res: Response): Promise<void> {
  if (res.writableFinished || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, COMMIT_WAIT_MS);
    res.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function shuttingDown(): UnavailableError {
  return new UnavailableError(
    'SHUTTING_DOWN',
    `This server is shutting down and dropped the upload. Retry in ${UPLOAD_RETRY_AFTER_SECONDS} s.`,
  );
}
