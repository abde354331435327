import { open, rm, type FileHandle } from 'node:fs/promises';
import { addAbortSignal, type Readable } from 'node:stream';
import { BodyTooLargeError } from './source-errors';

/** The local file could not be created or written: our failure, not the origin's. */
export class LocalWriteError extends Error {
  override readonly name = 'LocalWriteError';
}

/**
 * Streams a body into a new file (it must not exist: an existing file is
 * never overwritten or removed), one chunk at a time and counting as it
 * goes, so memory stays bounded whatever the origin sends and an
 * oversized body fails at the first byte past maxBytes. Reading and
 * writing are separate steps so a failing disk (LocalWriteError) is not
 * mistaken for a failing origin. On any failure the partial file is
 * removed before the error is rethrown. Resolves with the bytes written.
 */
export async function bodyToFile(body: Readable, file: string, maxBytes: number, signal: AbortSignal): Promise<number> {
  const handle = await open(file, 'wx').catch((err: unknown) => {
    body.destroy();
    throw new LocalWriteError(`cannot create ${file}`, { cause: err });
  });
  let bytes = 0;
  try {
    for await (const chunk of addAbortSignal(signal, body)) {
      if (!Buffer.isBuffer(chunk)) throw new TypeError('the response body is not a byte stream');
      bytes += chunk.length;
      if (bytes > maxBytes) throw new BodyTooLargeError(maxBytes);
      await writeAll(handle, chunk, file);
    }
    await handle.close().catch((err: unknown) => {
      throw new LocalWriteError(`cannot write ${file}`, { cause: err });
    });
    return bytes;
  } catch (err) {
    body.destroy();
    await handle.close().catch(() => undefined);
    await rm(file, { force: true });
    throw err;
  }
}

async function writeAll(handle: FileHandle, chunk: Buffer, file: string): Promise<void> {
  try {
    for (let offset = 0; offset < chunk.length;) {
      const { bytesWritten } = await handle.write(chunk, offset);
      offset += bytesWritten;
    }
  } catch (err) {
    throw new LocalWriteError(`cannot write ${file}`, { cause: err });
  }
}
