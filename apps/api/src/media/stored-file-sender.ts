import { readFile } from 'node:fs/promises';
import type { Request, Response } from 'express';
import { NotFoundError } from '@stream-server/errors';
import type { RemoteMedia } from '@stream-server/storage';
import { sendLocalFile } from './local-file';
import { sendRemoteFile } from './remote-file';
import type { ApiStorage } from './storage-outages';

/** The 404 to answer when the file is not there. */
export interface MissingFile {
  readonly code: string;
  readonly message: string;
}

export interface SendOptions {
  /**
   * The file may be answered with a redirect to its public URL
   * (MEDIA_PUBLIC_BASE_URL): media that needs no rewriting, whose
   * permission the route has checked already.
   */
  readonly redirect?: boolean;
}

/** Headers that describe the file, taken back when the answer is not the file. */
const FILE_HEADERS = [
  'Cache-Control',
  'Content-Type',
  'Content-Disposition',
  'Content-Range',
  'Accept-Ranges',
  'ETag',
  'Last-Modified',
];

/**
 * A redirect is what enforces a playback token's expiry, a takedown and a
 * cancel, so no cache may keep it; the bytes it points to carry their own
 * (long) caching from the bucket, and only this cheap hop is repeated.
 */
const REDIRECT_CACHE = 'no-store';

/**
 * The one place that knows where stored media is read from: this
 * process's disk (the `fs` driver), the bucket (`s3`), or, with
 * MEDIA_PUBLIC_BASE_URL, the bucket's public URL the client is sent to.
 * Either way a route gets the same answers: the file with validators and
 * ranges, 304, 206, 416, or a JSON 404 with the route's code.
 */
export class StoredFileSender {
  private readonly remote: RemoteMedia | null;

  constructor(
    private readonly storage: Pick<ApiStorage, 'remote' | 'exists' | 'readText' | 'fileSize'>,
    private readonly publicBaseUrl: string | undefined,
  ) {
    this.remote = storage.remote;
  }

  /** Media GETs are answered with redirects (an in-memory copy would then serve nothing). */
  get redirects(): boolean {
    return this.remote !== null && this.publicBaseUrl !== undefined;
  }

  /**
   * Answers the request with `file`. The route has set Content-Type,
   * Cache-Control and Content-Disposition; they are taken back for an
   * answer that is not the file, so a JSON error is not cached or typed
   * as media.
   */
  async send(
    req: Request,
    res: Response,
    file: string,
    missing: MissingFile,
    options: SendOptions = {},
  ): Promise<void> {
    if (options.redirect === true && this.redirects) {
      await this.redirect(res, file, missing);
      return;
    }
    const outcome = this.remote ? await sendRemoteFile(req, res, this.remote, file) : await sendLocalFile(res, file);
    if (outcome === 'sent') return;
    for (const header of FILE_HEADERS) res.removeHeader(header);
    if (outcome === 'missing') throw new NotFoundError(missing.code, missing.message);
    // Like 206 and 304, a protocol answer about this file rather than a
    // domain error: it is written here, with the size a client needs to
    // ask again (RFC 9110 §15.5.17).
    const size = await this.storage.fileSize(file).catch(() => null);
    if (size !== null) res.setHeader('Content-Range', `bytes */${size}`);
    res.status(416).json({ error: 'The requested range is not within the file.', code: 'RANGE_NOT_SATISFIABLE' });
  }

  /** A small file's text (a playlist to sign), or null when there is none. */
  readText(file: string): Promise<string | null> {
    return this.storage.readText(file);
  }

  /** A file's bytes (a segment, for the in-memory cache), or null when there is none. */
  async readBuffer(file: string): Promise<Buffer | null> {
    if (this.remote) return this.remote.readBuffer(file);
    return readFile(file).catch(() => null);
  }

  /** 302 to `<MEDIA_PUBLIC_BASE_URL>/<object key>`, once the object is known to be there. */
  private async redirect(res: Response, file: string, missing: MissingFile): Promise<void> {
    for (const header of FILE_HEADERS) res.removeHeader(header);
    if (!this.remote || !(await this.storage.exists(file))) throw new NotFoundError(missing.code, missing.message);
    res.setHeader('Cache-Control', REDIRECT_CACHE);
    res.location(`${this.publicBaseUrl ?? ''}/${this.remote.objectKey(file)}`);
    res.status(302).end();
  }
}
