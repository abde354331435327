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
export { StorageRepository, type PublishOutcome, type StorageHealth } from './storage-repository';
