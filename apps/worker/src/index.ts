export { createWorkerApp, type WorkerApp, type WorkerAppOptions } from './worker-app';
export { TranscodeProcessor, type ProcessableJob, type ProcessorSettings } from './transcode-processor';
export { webhookRelayCursorKey } from './webhook-relay';
