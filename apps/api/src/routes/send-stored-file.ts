import type { Response } from 'express';
import { NotFoundError } from '@stream-server/errors';

/**
 * Streams a published file with validators (ETag, Last-Modified) and range
 * support. Headers set for the file are taken back when it turned out to
 * be missing, so the JSON 404 the error middleware writes is not cached or
 * typed as media. A client leaving mid-send is not an error.
 */
export function sendStoredFile(
  res: Response,
  file: string,
  missingCode: string,
  missingMessage: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    res.sendFile(file, { dotfiles: 'deny', cacheControl: false, lastModified: true, etag: true }, (err?: Error) => {
      if (!err) return resolve();
      if (res.headersSent) return resolve();
      for (const header of ['Cache-Control', 'Content-Type', 'Content-Disposition']) res.removeHeader(header);
      reject(new NotFoundError(missingCode, missingMessage));
    });
  });
}
