import express, { Router, type Request, type RequestHandler } from 'express';
import multer from 'multer';
import { InvalidInputError, TooLargeError } from '@stream-server/errors';
import type { SubmitResult, TranscodeService } from '../services/transcode-service';
import type { UrlIngest } from '../services/url-ingest';
import type { UploadSlots } from '../upload/upload-slots';
import type { UploadStorage } from '../upload/upload-storage';
import { uploadIdleTimeout } from '../middleware/upload-idle-timeout';
import { uploadMinRate } from '../middleware/upload-min-rate';

export interface TranscodeRouteDeps {
  readonly service: TranscodeService;
  /** Submits by `source_url` (a multipart field, or a JSON body). */
  readonly ingest: UrlIngest;
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

/** A JSON submit is a few short fields; the multipart form's 20 fields of 4 KiB fit. */
const JSON_BODY_LIMIT_BYTES = 96 * 1024;

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
  const json = express.json({ limit: JSON_BODY_LIMIT_BYTES });
  // `source_url` comes in a form (no file part) or in a JSON body.
  const parseBody: RequestHandler = (req, res, done) => {
    if (req.is('application/json'))
      json(req, res, (err?: unknown) => done(err ? jsonBodyError(err) : notAnObject(req)));
    else upload(req, res, done);
  };

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
    parseBody(req, res, (uploadError: unknown) => {
      if (uploadError) {
        next(uploadError);
        return;
      }
      const file = req.file;
      const fields = fieldsOf(req);
      const sourceUrl = fields['source_url'];
      const hasUrl = sourceUrl !== undefined && sourceUrl !== '';
      const source = sourceError(file !== undefined, hasUrl);
      if (source) {
        next(source);
        return;
      }
      const requestId = typeof res.locals['requestId'] === 'string' ? res.locals['requestId'] : undefined;
      const control = { signal: abandoned.signal, onQueueing: () => deps.slots.committing(req) };
      let submitting: Promise<SubmitResult>;
      try {
        submitting = file
          ? deps.service.submit(
              { uploadId: file.filename, path: file.path, size: file.size, originalName: file.originalname },
              fields,
              requestId,
              control,
            )
          : deps.ingest.submit(sourceUrl, deps.uploads.reserve(req), fields, requestId, control);
      } catch (err) {
        next(err);
        return;
      }
      const queued = submitting.then(({ jobId }) => {
        deps.uploads.release(req);
        return jobId;
      });
      deps.uploads.hold(req, queued);
      queued.then((jobId) => {
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
 * Exactly one source: a file, or a `source_url`. Neither stays the seed's
 * MISSING_FILE, whatever the body was (a JSON body too, as before).
 */
function sourceError(hasFile: boolean, hasUrl: boolean): InvalidInputError | null {
  if (hasFile && hasUrl) {
    return new InvalidInputError(
      'FILE_AND_SOURCE_URL',
      'Send either a file or a source_url, not both: a job has exactly one source.',
    );
  }
  if (hasFile || hasUrl) return null;
  return new InvalidInputError(
    'MISSING_FILE',
    'No file received: send the audio as multipart/form-data in a field named "file", or its URL in "source_url".',
  );
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
  // JSON may say 128000 or true where a form says "128000" or "true";
  // null is an absent field. Anything else is left to the field checks.
  return Object.fromEntries(
    Object.entries(body)
      .filter(([, value]) => value !== null)
      .map(([name, value]) => [name, typeof value === 'number' || typeof value === 'boolean' ? String(value) : value]),
  );
}

/** A JSON submit is one object of fields; an array is not a form. */
function notAnObject(req: Request): InvalidInputError | undefined {
  const body: unknown = req.body;
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) return undefined;
  if (body === undefined) return undefined;
  return new InvalidInputError('BAD_REQUEST', 'The JSON body must be an object of fields, like the form.');
}

/** body-parser's failures in our codes: the JSON submit is a small object of fields. */
function jsonBodyError(err: unknown): unknown {
  const type: unknown = typeof err === 'object' && err !== null ? Reflect.get(err, 'type') : undefined;
  if (type === 'entity.too.large') {
    return new InvalidInputError('FIELD_TOO_LONG', `The JSON body is over ${JSON_BODY_LIMIT_BYTES} bytes.`);
  }
  if (type === 'entity.parse.failed') return new InvalidInputError('BAD_REQUEST', 'The body is not valid JSON.');
  return err;
}
