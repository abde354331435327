export { createWorkerApp, type WorkerApp } from './worker-app';
export { TranscodeProcessor, type ProcessableJob, type ProcessorSettings } from './transcode-processor';
