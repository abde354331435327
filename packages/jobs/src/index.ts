export { QUEUE_NAMES, type JobName, type TranscodeJobData, type TranscodeJobResult, type JobPayloads } from './job-contract';
export { PRIORITY_VALUES, JOB_POLICIES, workerLockSettings, attemptTimeoutMs, type JobPolicy } from './job-policy';
export { toJobStatus, isTerminal, type JobStatus, type QueueState } from './job-status';
export { createRedis, pingRedis, type RedisRole } from './redis-connection';
export { FleetRegistry, WORKER_TTL_MS, HEARTBEAT_MS, type WorkerInfo } from './fleet-registry';
export { TranscodeQueue, snapshotOf, queueUnavailable, type JobSnapshot, type TranscodeQueueOptions, type CancelOutcome } from './transcode-queue';
export { CancelRegistry, isJobData, type CancelRecord } from './cancel-registry';
