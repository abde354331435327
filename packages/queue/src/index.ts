export {
  createRedis,
  duplicateRedis,
  loadScript,
  pingRedis,
  type RedisClient,
  type RedisRole,
} from './redis-connection';
export { PRIORITY_VALUES, workerLockSettings } from './queue-settings';
export { queueUnavailable, redisFailure } from './queue-errors';
export { TranscodeQueue, type TranscodeQueueOptions, type CancelOutcome } from './transcode-queue';
export { CancelRegistry, type CancelRecord } from './cancel-registry';
export {
  QueueInspector,
  LISTABLE_STATES,
  type ListableState,
  type QueueDepth,
  type StateCounts,
  type PriorityCounts,
} from './queue-inspector';
export {
  TranscodeWorker,
  type TranscodeAttempt,
  type TranscodeHandler,
  type TranscodeWorkerOptions,
  type WorkerJob,
} from './transcode-worker';
export { LadderPartWorker, type LadderPartAttempt, type LadderPartHandler, type PartJob } from './ladder-part-worker';
export { WebhookQueue, webhookQueueJobId, WEBHOOK_BACKOFF_TYPE, type WebhookQueueOptions } from './webhook-queue';
export { WebhookWorker, type WebhookHandler, type WebhookWorkerEvents } from './webhook-worker';
export { JobEventReader, type JobEventHandlers, type JobEventReaderOptions } from './job-event-reader';
export { openAdminQueues, closeAdminQueues } from './admin-queues';
export { JobEndingStream, type JobEnding, type JobStreamEntry, type JobStreamRead } from './job-ending-stream';
