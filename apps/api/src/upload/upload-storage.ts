import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Request } from 'express';
import type { StorageEngine } from 'multer';
import type { StorageLayout } from '@stream-server/storage';

const WRITE_BUFFER_BYTES = 1024 * 1024;

interface TrackedUpload {
  readonly path: string;
  /** Null for a file the request writes itself (reserve). */
  readonly stream: WriteStream | null;
}

/**
 * A multer storage engine that streams each upload straight to
 * STORAGE_DIR/uploads/<uuid> (never into memory) under a name the server
 * makes, and remembers every file it opened per request so that
 * `discardUploads` can remove them whatever way the request ends
 * (rejected, client gone mid-body, queue down).
 */
export class UploadStorage implements StorageEngine {
  private readonly tracked = new WeakMap<Request, TrackedUpload[]>();
  /** Requests whose files are (being) deleted: they may not open new ones. */
  private readonly discarding = new WeakMap<Request, Promise<void>>();
  /** Requests whose submit is running: their files are decided when it ends. */
  private readonly holds = new WeakMap<Request, Promise<unknown>>();

  constructor(private readonly layout: StorageLayout) {}

  _handleFile(
    req: Request,
    file: Express.Multer.File,
    callback: (error?: unknown, info?: Partial<Express.Multer.File>) => void,
  ): void {
    // Parsing can run on a moment after the request was given up (bytes
    // already buffered): a file opened then would never be deleted.
    if (this.discarding.has(req)) {
      file.stream.resume();
      callback(new Error('the upload was already discarded'));
      return;
    }
    const uploadId = randomUUID();
    const target = this.layout.uploadPath(uploadId);
    // 'wx': never overwrite; a UUID collision must not clobber another upload.
    // A 1 MiB buffer (default 16 KiB) lets the parser keep reading the socket
    // while a write is in flight, and lets queued chunks go out as one
    // writev: fewer thread-pool round trips per GiB, memory still bounded.
    const stream = createWriteStream(target, { flags: 'wx', highWaterMark: WRITE_BUFFER_BYTES });
    const list = this.tracked.get(req) ?? [];
    list.push({ path: target, stream });
    this.tracked.set(req, list);
    pipeline(file.stream, stream).then(
      () => callback(null, { path: target, filename: uploadId, size: stream.bytesWritten }),
      (err: unknown) => callback(err),
    );
  }

  _removeFile(_req: Request, file: Express.Multer.File, callback: (error: Error | null) => void): void {
    rm(file.path, { force: true }).then(
      () => callback(null),
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
    );
  }

  /**
   * Stops any write still running for this request and deletes what it
   * wrote. Waits for each stream to close first, so a file cannot be
   * created after it was "deleted". Calling it again (the response closed,
   * and shutdown aborts it too) waits for the same deletion.
   */
  discardUploads(req: Request): Promise<void> {
    const running = this.discarding.get(req);
    if (running) return running;
    const held = this.holds.get(req);
    const done = held
      ? held.then(
          () => this.removeTracked(req),
          () => this.removeTracked(req),
        )
      : this.removeTracked(req);
    this.discarding.set(req, done);
    return done;
  }

  /**
   * The request's files go to a submit that ends with `until`: a discard
   * asked for meanwhile waits for it, and removes only what the submit did
   * not `release` to a queued job. Without this, a client gone (or a
   * shutdown) while the job is being queued would delete the file of a job
   * that then stands.
   */
  hold(req: Request, until: Promise<unknown>): void {
    this.holds.set(req, until);
  }

  private removeTracked(req: Request): Promise<void> {
    const list = this.tracked.get(req) ?? [];
    this.tracked.delete(req);
    return this.removeAll(list);
  }

  private async removeAll(list: readonly TrackedUpload[]): Promise<void> {
    await Promise.all(
      list.map(async ({ path, stream }) => {
        if (stream && !stream.closed) {
          await new Promise<void>((resolve) => {
            stream.once('close', () => resolve());
            stream.destroy();
          });
        }
        await rm(path, { force: true });
      }),
    );
  }

  /**
   * A fresh uploads/<uuid> for a file the request writes itself (a fetched
   * `source_url`), tracked like a multer upload so that a discard removes
   * it. The writer must be held (hold) until it is done with the file, or
   * a discard could run before the file exists.
   */
  reserve(req: Request): { readonly uploadId: string; readonly path: string } {
    if (this.discarding.has(req)) throw new Error('the upload was already discarded');
    const uploadId = randomUUID();
    const target = this.layout.uploadPath(uploadId);
    const list = this.tracked.get(req) ?? [];
    list.push({ path: target, stream: null });
    this.tracked.set(req, list);
    return { uploadId, path: target };
  }

  /** Forgets the request's files: they now belong to a queued job. */
  release(req: Request): void {
    this.tracked.delete(req);
  }
}
