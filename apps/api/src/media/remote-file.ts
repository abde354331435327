import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { ObjectRead, ObjectReadRequest, RemoteMedia } from '@stream-server/storage';

/** How sending a stored file ended: answered, or not there (or not that range) to answer with. */
export type SendOutcome = 'sent' | 'missing' | 'unsatisfiable-range';

/**
 * One range of bytes. Like Express's `send` for files on disk, anything
 * else (several ranges, a malformed header) is answered with the whole
 * file rather than refused.
 */
const SINGLE_RANGE = /^bytes=(?:\d+-\d*|-\d+)$/;

/**
 * Answers a GET or HEAD from the bucket as Express's `send` answers it
 * from disk: Accept-Ranges, Content-Length, ETag, Last-Modified; 206 with
 * Content-Range for a range, 304 when the client's validator still holds;
 * If-Range honoured. The client's validators and range go to the bucket,
 * which does the checking. The caller has set Content-Type, Cache-Control
 * and Content-Disposition, and answers the other outcomes.
 */
export async function sendRemoteFile(
  req: Request,
  res: Response,
  remote: RemoteMedia,
  file: string,
): Promise<SendOutcome> {
  const request = readRequest(req);
  let read = await remote.read(file, request);
  if (read.outcome === 'partial' && !rangeStillFresh(req.get('if-range'), read.etag, read.lastModified)) {
    // The object changed since the client got its first bytes: it gets all of it again.
    read.body.destroy();
    read = await remote.read(file, { ...request, range: undefined });
  }
  switch (read.outcome) {
    case 'missing':
    case 'unsatisfiable-range':
      return read.outcome;
    case 'not-modified':
      answerNotModified(res, read);
      return 'sent';
    case 'whole':
    case 'partial':
      res.setHeader('Accept-Ranges', 'bytes');
      setValidators(res, read.etag, read.lastModified);
      if (read.outcome === 'partial') {
        res.status(206);
        if (read.contentRange !== undefined) res.setHeader('Content-Range', read.contentRange);
      }
      res.setHeader('Content-Length', String(read.length));
      if (req.method === 'HEAD') {
        // Not read, so closed: a body left hanging would hold one of the client's sockets.
        read.body.destroy();
        res.end();
        return 'sent';
      }
      await streamBody(read.body, res);
      return 'sent';
  }
}

/** The client's range and validators, as RFC 9110 orders them: If-None-Match wins over If-Modified-Since. */
function readRequest(req: Request): ObjectReadRequest {
  const range = req.headers.range;
  const noneMatch = req.headers['if-none-match'];
  const since = req.headers['if-modified-since'];
  const sinceMs = since === undefined ? NaN : Date.parse(since);
  return {
    range: range !== undefined && SINGLE_RANGE.test(range) ? range : undefined,
    ifNoneMatch: noneMatch,
    ifModifiedSince: noneMatch === undefined && !Number.isNaN(sinceMs) ? new Date(sinceMs) : undefined,
  };
}

/** If-Range (RFC 9110 §13.1.5), as `send` checks it: an entity tag, or a date no older than the object. */
function rangeStillFresh(
  ifRange: string | undefined,
  etag: string | undefined,
  lastModified: Date | undefined,
): boolean {
  if (ifRange === undefined) return true;
  if (ifRange.includes('"')) return etag !== undefined && ifRange.includes(etag);
  const since = Date.parse(ifRange);
  return lastModified !== undefined && !Number.isNaN(since) && lastModified.getTime() <= since;
}

function answerNotModified(res: Response, read: Extract<ObjectRead, { outcome: 'not-modified' }>): void {
  // A 304 describes no body: the type set for the file goes, as `send` drops it.
  res.removeHeader('Content-Type');
  // The bucket echoes the client's If-None-Match; only a single tag is the object's own.
  const etag = read.etag !== undefined && !read.etag.includes(',') && read.etag.trim() !== '*' ? read.etag : undefined;
  setValidators(res, etag, read.lastModified);
  res.status(304).end();
}

function setValidators(res: Response, etag: string | undefined, lastModified: Date | undefined): void {
  if (etag !== undefined) res.setHeader('ETag', etag);
  if (lastModified !== undefined) res.setHeader('Last-Modified', lastModified.toUTCString());
}

/**
 * Pipes the object to the client with backpressure (never buffered). A
 * client leaving mid-body makes the pipeline destroy the bucket's stream,
 * so its connection is not left downloading for nobody; that is not an
 * error. A bucket stream failing mid-body is: it reaches the error
 * middleware, which cuts the connection so the client sees a short body.
 */
async function streamBody(body: Readable, res: Response): Promise<void> {
  try {
    await pipeline(body, res);
  } catch (err) {
    if (body.errored === null && res.destroyed) return;
    throw err;
  }
}
