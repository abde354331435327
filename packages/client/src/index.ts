export { StreamClient, formFields, type StreamClientOptions } from './stream-client';
export type { ResumableUploadOptions } from './resumable-upload';
export { StreamApiError, StreamNetworkError, StreamTimeoutError } from './errors';
export {
  isTerminalStatus,
  type Codec,
  type ErrorBody,
  type Job,
  type JobList,
  type JobStatus,
  type Loudness,
  type Priority,
  type QualityProfile,
  type QueueStats,
  type Rendition,
  type SourceInfo,
  type StateCounts,
  type SubmitOptions,
  type SubmitResponse,
  type WaitOptions,
  type WindowCounts,
  type WorkerInfo,
} from './types';
