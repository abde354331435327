import cors from 'cors';
import express, { type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import type { Logger } from '@stream-server/logger';
import type { TranscodeQueue } from '@stream-server/queue';
import type { Authenticator } from './auth/authenticator';
import { createRequireScope } from './auth/require-scope';
import { errorHandler, notFoundHandler } from './middleware/error-handler';
import type { RateLimiters } from './middleware/rate-limits';
import { requestContext } from './middleware/request-context';
import { refuseTrailingSlash } from './middleware/strict-paths';
import { healthRoutes, type HealthChecks } from './routes/health-routes';
import { hlsRoutes } from './routes/hls-routes';
import type { PlaybackSigner } from './playback/playback-signer';
import { jobRoutes } from './routes/job-routes';
import { eventRoutes } from './routes/event-routes';
import type { JobEventHub } from './events/job-event-hub';
import type { SseStreams } from './events/sse-streams';
import { jobMediaRoutes } from './routes/job-media-routes';
import type { StoredFileSender } from './media/stored-file-sender';
import { opsRoutes } from './routes/ops-routes';
import type { ApiMetrics } from './metrics/api-metrics';
import type { QueueStatsService } from './services/queue-stats-service';
import { openApiRoutes } from './routes/openapi-routes';
import { transcodeRoutes } from './routes/transcode-routes';
import { webRoutes } from './routes/web-routes';
import type { JobService } from './services/job-service';
import type { TranscodeService } from './services/transcode-service';
import type { UrlIngest } from './services/url-ingest';
import type { UploadSlots } from './upload/upload-slots';
import type { UploadStorage } from './upload/upload-storage';
import type { ResumableUploads } from './upload/resumable-uploads';
import { resumableUploadOptionsRoutes, resumableUploadRoutes } from './routes/resumable-upload-routes';

export interface AppDeps {
  readonly logger: Logger;
  readonly allowedOrigins: readonly string[];
  readonly maxUploadBytes: number;
  readonly uploadIdleTimeoutMs: number;
  readonly uploadMinBytesPerSecond: number;
  readonly uploadRateWindowMs: number;
  readonly uploadSlots: UploadSlots;
  readonly queue: TranscodeQueue;
  /** What /health checks (Redis takes writes, the storage has room). */
  readonly health: HealthChecks;
  readonly transcode: TranscodeService;
  /** Submits by `source_url`. */
  readonly ingest: UrlIngest;
  readonly jobs: JobService;
  readonly uploads: UploadStorage;
  /** tus uploads at /v1/stream/uploads; absent: not served. */
  readonly resumableUploads?: ResumableUploads;
  /** Reads stored media for the playback routes (from disk, the bucket, or by redirect). */
  readonly files: StoredFileSender;
  /** Bearer auth for the API routes; absent (or configured with no key): open. */
  readonly authenticator?: Authenticator;
  /** Signed playback URLs for HLS; absent: HLS is open. */
  readonly playback?: PlaybackSigner;
  /** Per-minute budgets (absent: unlimited). */
  readonly rateLimits?: RateLimiters;
  /** Reverse-proxy hops trusted for the client IP (TRUST_PROXY). */
  readonly trustProxy?: number;
  /** Live progress (SSE): the shared job-event hub and the open streams' registry. */
  readonly jobEvents?: { readonly hub: JobEventHub; readonly streams: SseStreams };
  /** Ops surface: queue stats, job listing, /metrics, and bull-board's router (admin-routes.ts). */
  readonly ops?: {
    readonly stats: QueueStatsService;
    readonly metrics: ApiMetrics;
    readonly board?: (authorize: RequestHandler) => Router;
  };
}

/** The Express app: middleware and routes only; services are passed in. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? 0);
  app.set('etag', 'strong');

  app.use(requestContext(deps.logger, deps.ops ? (sample) => deps.ops?.metrics.observe(sample) : undefined));
  app.use(
    helmet({
      // hls.js fetches playlists and segments from other origins (the web
      // client's); CORS decides who may, so CORP must not block them.
      crossOriginResourcePolicy: { policy: 'cross-origin' },
      // Helmet's strict defaults, plus blob: media for the web page's player
      // (hls.js feeds the <audio> element through a MediaSource blob URL),
      // minus upgrade-insecure-requests: on plain http://<host>:8082 it would
      // send the page's scripts to https:// and break it (TLS, when used,
      // is a proxy's job, and the page is then https anyway).
      contentSecurityPolicy: {
        directives: { 'media-src': ["'self'", 'blob:'], 'upgrade-insecure-requests': null },
      },
    }),
  );
  if (deps.resumableUploads) app.use(resumableUploadOptionsRoutes(deps.resumableUploads));
  const anyOrigin = deps.allowedOrigins.includes('*');
  app.use(
    cors({
      origin: anyOrigin ? '*' : [...deps.allowedOrigins],
      methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
      exposedHeaders: [
        'X-Request-Id',
        'Content-Length',
        'Content-Range',
        'ETag',
        'WWW-Authenticate',
        'Retry-After',
        'RateLimit',
        'RateLimit-Policy',
        // tus clients (tus-js-client) read these, on our JSON errors too.
        'Tus-Resumable',
        'Tus-Version',
        'Tus-Extension',
        'Tus-Max-Size',
        'Upload-Offset',
        'Upload-Length',
        'Upload-Metadata',
        'Upload-Expires',
        'Location',
      ],
      maxAge: 600,
    }),
  );

  // `requireScope('admin')` guards admin routes when they come.
  const requireScope = createRequireScope(deps.authenticator);
  app.use('/v1', refuseTrailingSlash);
  app.use(healthRoutes(deps.health));
  app.use(openApiRoutes());
  if (deps.rateLimits) {
    // Counted before the upload is read, so a client over budget costs no disk.
    app.post('/v1/stream/transcode', deps.rateLimits.submit);
    // Creating a resumable upload is the submit; its PATCHes are not counted.
    app.post('/v1/stream/uploads', deps.rateLimits.submit);
    app.use(['/v1/stream/job', '/v1/stream/jobs', '/v1/stream/queue'], deps.rateLimits.read);
    // Playback has its own budget, off by default: a player fetches a
    // segment every few seconds, and a whole office behind one NAT address
    // would otherwise spend the reads budget of that IP in minutes.
    app.use('/v1/stream/hls', deps.rateLimits.playback);
  }
  app.use(
    transcodeRoutes({
      service: deps.transcode,
      ingest: deps.ingest,
      uploads: deps.uploads,
      maxUploadBytes: deps.maxUploadBytes,
      authorize: requireScope('transcode:write'),
      uploadIdleTimeoutMs: deps.uploadIdleTimeoutMs,
      uploadMinBytesPerSecond: deps.uploadMinBytesPerSecond,
      uploadRateWindowMs: deps.uploadRateWindowMs,
      slots: deps.uploadSlots,
    }),
  );
  if (deps.resumableUploads) {
    app.use(
      resumableUploadRoutes({
        uploads: deps.resumableUploads,
        authorize: requireScope('transcode:write'),
        slots: deps.uploadSlots,
        uploadIdleTimeoutMs: deps.uploadIdleTimeoutMs,
        uploadMinBytesPerSecond: deps.uploadMinBytesPerSecond,
        uploadRateWindowMs: deps.uploadRateWindowMs,
      }),
    );
  }
  if (deps.jobEvents) {
    app.use(
      eventRoutes(
        { ...deps.jobEvents, jobs: deps.jobs, ...(deps.playback ? { playback: deps.playback } : {}) },
        requireScope,
      ),
    );
  }
  app.use(jobRoutes(deps.jobs, requireScope, deps.playback));
  app.use(
    jobMediaRoutes({
      jobs: deps.jobs,
      files: deps.files,
      requireScope,
      playback: deps.playback,
      authEnabled: deps.authenticator?.enabled === true,
    }),
  );
  app.use(hlsRoutes(deps.jobs, deps.files, deps.playback));
  if (deps.ops) {
    app.use(opsRoutes(deps.ops.stats, deps.ops.metrics, requireScope, deps.playback));
    if (deps.ops.board) app.use(deps.ops.board(requireScope('admin')));
  }

  app.use(webRoutes());

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
