import { Router, type Request, type RequestHandler } from 'express';
import multer from 'multer';
import { InvalidInputError, TooLargeError } from '@stream-server/errors';
import type { TranscodeService } from '../services/transcode-service';
import type { UploadSlots } from '../upload/upload-slots';
import type { UploadStorage } from '../upload/upload-storage';
import { uploadIdleTimeout } from '../middleware/upload-idle-timeout';
import { uploadMinRate } from '../middleware/upload-min-rate';

export interface TranscodeRouteDeps {
  readonly service: TranscodeService;
  readonly uploads: UploadStorage;
  readonly maxUploadBytes: number;
  /** Admits only callers allowed to submit (`requireScope('transcode:write')`); checked before any byte is stored. */
  readonly authorize: RequestHandler;
  readonly uploadIdleTimeoutMs: number;
  /** UPLOAD_MIN_BYTES_PER_SECOND over UPLOAD_RATE_WINDOW_SECONDS (0: no floor). */
  readonly uploadMinBytesPerSecond: number;
  readonly uploadRateWindowMs: number;
  /** MAX_CONCURRENT_UPLOADS, and the uploads a stopping API aborts. */
  readonly slots: UploadSlots;
}

/** Room for multipart boundaries and the small text fields around the file. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** `POST /v1/stream/transcode`: the seed's submit route. Thin: parse, hand over, answer. */
export function transcodeRoutes(deps: TranscodeRouteDeps): Router {
  const router = Router();
  const upload = multer({
    storage: deps.uploads,
    defParamCharset: 'utf8',
    limits: {
      fileSize: deps.maxUploadBytes,
      files: 1,
      fields: 20,
      fieldNameSize: 100,
      fieldSize: 4 * 1024,
      parts: 30,
      headerPairs: 100,
      // Our fields are flat. multer would otherwise build nested objects and
      // arrays from names like a[99999999], blocking the event loop for seconds.
      fieldNestingDepth: 0,
      fieldArrayIndexLimit: 0,
    },
  }).single('file');

  const submit: RequestHandler = (req, res, next) => {
    // However the request ends (rejected, client gone mid-upload), files
    // that did not become a queued job are deleted: a discard waits for a
    // running submit and spares what it released (UploadStorage.hold).
    res.once('close', () => {
      void deps.uploads.discardUploads(req).catch(() => undefined);
    });
    // Once answered (cut off, shutting down) or gone, nobody waits for the
    // result: stop probing, and queue nothing.
    const abandoned = new AbortController();
    const abandon = () => abandoned.abort();
    res.once('finish', abandon);
    res.once('close', abandon);
    upload(req, res, (uploadError: unknown) => {
      if (uploadError) {
        next(uploadError);
        return;
      }
      const file = req.file;
      if (!file) {
        next(
          new InvalidInputError(
            'MISSING_FILE',
            'No file received: send the audio as multipart/form-data in a field named "file".',
          ),
        );
        return;
      }
      const submitting = deps.service
        .submit(
          { uploadId: file.filename, path: file.path, size: file.size, originalName: file.originalname },
          fieldsOf(req),
          typeof res.locals['requestId'] === 'string' ? res.locals['requestId'] : undefined,
          { signal: abandoned.signal, onQueueing: () => deps.slots.committing(req) },
        )
        .then(({ jobId }) => {
          deps.uploads.release(req);
          return jobId;
        });
      deps.uploads.hold(req, submitting);
      submitting.then((jobId) => {
        // Queued in the instant the upload was cut off: the job stands, there is no one to tell.
        if (res.headersSent) return;
        res.json({ job_id: jobId, status: 'queued', message: 'Job submitted successfully' });
      }, next);
    });
  };

  router.post(
    '/v1/stream/transcode',
    deps.authorize,
    refuseOversizedBody(deps.maxUploadBytes),
    deps.slots.admit(),
    uploadIdleTimeout(deps.uploadIdleTimeoutMs),
    uploadMinRate(deps.uploadMinBytesPerSecond, deps.uploadRateWindowMs),
    submit,
  );
  return router;
}

/**
 * A body announced bigger than the limit is refused before a byte of it is
 * stored; the connection is closed so the client stops sending.
 */
function refuseOversizedBody(maxUploadBytes: number): RequestHandler {
  return (req, res, next) => {
    const length = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(length) && length > maxUploadBytes + MULTIPART_OVERHEAD_BYTES) {
      res.setHeader('Connection', 'close');
      next(
        new TooLargeError('FILE_TOO_LARGE', `The upload is larger than this server accepts (${maxUploadBytes} bytes).`),
      );
      return;
    }
    next();
  };
}

function fieldsOf(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null) return {};
  return Object.fromEntries(Object.entries(body));
}
