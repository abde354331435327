import type { StorageTarget } from '@stream-server/config';
import type { MediaStorage } from './media-storage';
import { StorageLayout } from './storage-layout';
import { StorageRepository } from './storage-repository';

/**
 * The storage STORAGE_DRIVER names, rooted at STORAGE_DIR (shared disk, or
 * private scratch with s3). The AWS SDK takes about a second to load, so
 * only the s3 driver loads it: every start of an fs process would pay it.
 */
export async function createStorage(storageDir: string, target: StorageTarget): Promise<MediaStorage> {
  const layout = new StorageLayout(storageDir);
  if (target.driver === 'fs') return new StorageRepository(layout);
  const [{ ObjectStorageRepository }, { S3Bucket }] = await Promise.all([
    import('./object-storage-repository.js'),
    import('./s3-bucket.js'),
  ]);
  return new ObjectStorageRepository(layout, new S3Bucket(target));
}
