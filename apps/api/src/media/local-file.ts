import type { Response } from 'express';
import type { SendOutcome } from './remote-file';

/**
 * Streams a file from this process's disk with Express's `send`:
 * validators (ETag, Last-Modified), 304, ranges. The caller has set
 * Content-Type, Cache-Control and Content-Disposition, and answers the
 * outcomes other than `sent`. A client leaving mid-send is not an error.
 */
export function sendLocalFile(res: Response, file: string): Promise<SendOutcome> {
  return new Promise((resolve) => {
    res.sendFile(file, { dotfiles: 'deny', cacheControl: false, lastModified: true, etag: true }, (err?: Error) => {
      if (!err || res.headersSent) return resolve('sent');
      resolve(statusOf(err) === 416 ? 'unsatisfiable-range' : 'missing');
    });
  });
}

function statusOf(err: Error): unknown {
  return Reflect.get(err, 'status');
}
