export { createApp, type AppDeps } from './app';
export { createApiServer, type ApiServer } from './api-server';
export { toJobView, manifestUrl, type JobView } from './services/job-view';
export { toErrorResponse } from './middleware/error-handler';
