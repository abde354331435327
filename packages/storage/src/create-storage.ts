import type { MediaStorage } from './media-storage';
import { ObjectStorageRepository } from './object-storage-repository';
import { S3Bucket, type S3BucketSettings } from './s3-bucket';
import { StorageLayout } from './storage-layout';
import { StorageRepository } from './storage-repository';

/** The config's storage target, as this package needs it. */
export type StorageDriverSettings = { readonly driver: 'fs' } | ({ readonly driver: 's3' } & S3BucketSettings);

/** The storage STORAGE_DRIVER names, rooted at STORAGE_DIR (shared disk, or private scratch with s3). */
export function createStorage(storageDir: string, target: StorageDriverSettings): MediaStorage {
  const layout = new StorageLayout(storageDir);
  if (target.driver === 'fs') return new StorageRepository(layout);
  return new ObjectStorageRepository(layout, new S3Bucket(target));
}
