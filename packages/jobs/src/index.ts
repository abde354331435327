export {
  QUEUE_NAMES,
  type JobName,
  type TranscodeJobData,
  type TranscodeJobResult,
  type JobPayloads,
  type RenditionResult,
  type LoudnessSummary,
} from './job-contract';
export {
  transcodeJobDataSchema,
  parseTranscodeJobData,
  isJobData,
  type StoredTranscodeJobData,
  type JobOutputs,
} from './job-payload-schema';
export {
  parseLadderPartJobData,
  ladderPartJobId,
  ladderPartsOf,
  type LadderPartJobData,
  type LadderPartResult,
} from './ladder-part-payload';
export type { JobSnapshot } from './job-snapshot';
export { livePlaylistSource, liveManifestPath } from './job-playback';
export { JOB_POLICIES, attemptTimeoutMs, webhookBackoffMs, webhookAttempts, type JobPolicy } from './job-policy';
export { toJobStatus, isTerminal, isQueueState, type JobStatus, type QueueState } from './job-status';
export { jsonFields } from './json-fields';
export {
  webhookEventId,
  WEBHOOK_EVENT_TYPES,
  type WebhookEvent,
  type WebhookEventType,
  type WebhookJobData,
  type WebhookDeliveryData,
  type WebhookDeliveryResult,
} from './webhook-payload';
export { PermanentJobError, JobHandedBackError } from './job-signals';
