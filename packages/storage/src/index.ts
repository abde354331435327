export { isJobId, isSegmentName, hlsContentType } from './names';
export { StorageLayout, MANIFEST_NAME } from './storage-layout';
export { StorageRepository, type PublishOutcome } from './storage-repository';
