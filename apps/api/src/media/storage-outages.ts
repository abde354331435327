import { UnavailableError } from '@stream-server/errors';
import { describeError, type Logger } from '@stream-server/logger';
import type { MediaStorage, RemoteMedia } from '@stream-server/storage';

/** The part of the storage the API uses. */
export type ApiStorage = Pick<
  MediaStorage,
  'layout' | 'remote' | 'health' | 'exists' | 'remove' | 'readText' | 'fileSize' | 'commitUpload'
>;

/**
 * The storage as the API's services and routes see it. A failure of the
 * storage itself (a bucket unreachable, refusing or erroring) says
 * nothing about the request, and may pass: the caller gets `503
 * STORAGE_UNAVAILABLE` and may retry, rather than a 500. The cause is
 * logged here, as the error that leaves says no more than that.
 */
export function withStorageOutages(storage: MediaStorage, logger: Logger): ApiStorage {
  const guard = async <T>(operation: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      // An abort is the caller leaving, not an outage: it stays what it is.
      if (signal?.aborted) throw err;
      logger.warn('storage failed', { operation, ...describeError(err) });
      throw new UnavailableError('STORAGE_UNAVAILABLE', 'The media storage is not answering; try again later.');
    }
  };
  const remote = storage.remote;
  const guardedRemote: RemoteMedia | null = remote && {
    read: (file, request) => guard('read', () => remote.read(file, request)),
    readBuffer: (file) => guard('read', () => remote.readBuffer(file)),
    objectKey: (file) => remote.objectKey(file),
  };
  return {
    layout: storage.layout,
    remote: guardedRemote,
    health: () => storage.health(),
    exists: (file) => guard('exists', () => storage.exists(file)),
    remove: (target) => guard('remove', () => storage.remove(target)),
    readText: (file) => guard('read', () => storage.readText(file)),
    fileSize: (file) => guard('size', () => storage.fileSize(file)),
    commitUpload: (file, signal) => guard('commit upload', () => storage.commitUpload(file, signal), signal),
  };
}
