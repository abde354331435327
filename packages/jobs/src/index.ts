export {
  QUEUE_NAMES,
  type JobName,
  type TranscodeJobData,
  type TranscodeJobResult,
  type JobPayloads,
  type RenditionResult,
  type LoudnessSummary,
} from './job-contract';
export { PRIORITY_VALUES, JOB_POLICIES, workerLockSettings, attemptTimeoutMs, type JobPolicy } from './job-policy';
export { toJobStatus, isTerminal, type JobStatus, type QueueState } from './job-status';
export { createRedis, pingRedis, type RedisRole } from './redis-connection';
export { FleetRegistry, WORKER_TTL_MS, HEARTBEAT_MS, type WorkerInfo, type OnlineWorker } from './fleet-registry';
export { TranscodeQueue, snapshotOf, queueUnavailable, type JobSnapshot, type TranscodeQueueOptions, type CancelOutcome } from './transcode-queue';
export { CancelRegistry, isJobData, type CancelRecord } from './cancel-registry';
export {
  FleetMetrics,
  failureReason,
  codecLabel,
  bucketIndex,
  realtimeFactor,
  outcomeFields,
  parseFleetHash,
  DURATION_BUCKETS_SECONDS,
  REALTIME_FACTOR_BUCKETS,
  FAILURE_REASONS,
  type FailureReason,
  type JobOutcome,
  type FleetSnapshot,
  type HistogramData,
  type LabelledCount,
  type Throughput,
  type WindowCounts,
} from './fleet-metrics';
export { QueueInspector, LISTABLE_STATES, type ListableState, type QueueDepth, type StateCounts, type PriorityCounts } from './queue-inspector';
export { webhookBackoffMs, webhookAttempts } from './job-policy';
export {
  parseCallbackUrl,
  isPublicAddress,
  checkCallbackTarget,
  resolveCallbackHost,
  firstRefusedAddress,
  CALLBACK_URL_MAX_LENGTH,
  INVALID_CALLBACK_URL,
  type CheckedTarget,
  type TargetAddress,
  type TargetPolicy,
} from './webhook-target';
export { signWebhook, verifyWebhook, WEBHOOK_HEADERS, DEFAULT_TOLERANCE_SECONDS, type WebhookToVerify, type VerifyOptions } from './webhook-signature';
export {
  webhookEventFor,
  webhookEventId,
  WEBHOOK_EVENT_TYPES,
  type WebhookEvent,
  type WebhookEventType,
  type WebhookJobData,
  type WebhookDeliveryData,
  type WebhookDeliveryResult,
} from './webhook-event';
export { WebhookQueue, webhookQueueJobId, WEBHOOK_BACKOFF_TYPE, type WebhookQueueOptions } from './webhook-queue';
