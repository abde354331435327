import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Logger } from '@stream-server/logger';
import type { TranscodeQueue } from '@stream-server/jobs';
import { errorHandler, notFoundHandler } from './middleware/error-handler';
import { requestContext } from './middleware/request-context';
import { healthRoutes } from './routes/health-routes';
import { hlsRoutes } from './routes/hls-routes';
import { jobRoutes } from './routes/job-routes';
import { transcodeRoutes } from './routes/transcode-routes';
import type { JobService } from './services/job-service';
import type { TranscodeService } from './services/transcode-service';
import type { UploadStorage } from './upload/upload-storage';

export interface AppDeps {
  readonly logger: Logger;
  readonly allowedOrigins: readonly string[];
  readonly maxUploadBytes: number;
  readonly queue: TranscodeQueue;
  readonly transcode: TranscodeService;
  readonly jobs: JobService;
  readonly uploads: UploadStorage;
}

/** The Express app: middleware and routes only; services are passed in. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', 'strong');

  app.use(requestContext(deps.logger));
  app.use(
    helmet({
      // hls.js fetches playlists and segments from other origins (the web
      // client's); CORS decides who may, so CORP must not block them.
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );
  const anyOrigin = deps.allowedOrigins.includes('*');
  app.use(
    cors({
      origin: anyOrigin ? '*' : [...deps.allowedOrigins],
      methods: ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'],
      exposedHeaders: ['X-Request-Id', 'Content-Length', 'Content-Range', 'ETag'],
      maxAge: 600,
    }),
  );

  app.use(healthRoutes(deps.queue));
  app.use(transcodeRoutes({ service: deps.transcode, uploads: deps.uploads, maxUploadBytes: deps.maxUploadBytes }));
  app.use(jobRoutes(deps.jobs));
  app.use(hlsRoutes(deps.jobs));

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
