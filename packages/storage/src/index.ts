export {
  isJobId,
  isSegmentName,
  isRenditionName,
  hlsContentType,
  WAVEFORM_NAME,
  DOWNLOAD_NAME,
  LOUDNESS_NAME,
} from './names';
export { StorageLayout, MANIFEST_NAME, LIVE_MANIFEST_NAME } from './storage-layout';
export { StorageRepository } from './storage-repository';
export type { MediaStorage, PublishOutcome, RemoteMedia, StorageHealth } from './media-storage';
export type { ObjectRead, ObjectReadRequest } from './s3-bucket';
export { createStorage } from './create-storage';
