import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { MulterError } from 'multer';
import { DomainError, type DomainErrorKind } from '@stream-server/errors';
import { describeError, type Logger } from '@stream-server/logger';
import { redisFailure } from '@stream-server/queue';

export interface ErrorBody {
  error: string;
  code: string;
}

const STATUS_BY_KIND: Readonly<Record<DomainErrorKind, number>> = {
  'invalid-input': 400,
  unsupported: 400,
  'not-ready': 400,
  'not-found': 404,
  gone: 410,
  conflict: 409,
  'too-large': 413,
  'too-slow': 408,
  // The caller's request was whole; the origin behind it was slow: a gateway timeout, not 408.
  'upstream-timeout': 504,
  unavailable: 503,
  unauthenticated: 401,
  forbidden: 403,
};

const MULTER_ERRORS: Readonly<Record<string, { status: number; code: string; error: string }>> = {
  LIMIT_FILE_SIZE: { status: 413, code: 'FILE_TOO_LARGE', error: 'The file is larger than this server accepts.' },
  LIMIT_FILE_COUNT: { status: 400, code: 'TOO_MANY_FILES', error: 'Send exactly one file, in the "file" field.' },
  LIMIT_UNEXPECTED_FILE: { status: 400, code: 'UNEXPECTED_FILE', error: 'Send exactly one file, in the "file" field.' },
  LIMIT_PART_COUNT: { status: 400, code: 'TOO_MANY_PARTS', error: 'The form has too many parts.' },
  LIMIT_FIELD_COUNT: { status: 400, code: 'TOO_MANY_FIELDS', error: 'The form has too many fields.' },
  LIMIT_FIELD_KEY: { status: 400, code: 'FIELD_NAME_TOO_LONG', error: 'A form field name is too long.' },
  LIMIT_FIELD_VALUE: { status: 400, code: 'FIELD_TOO_LONG', error: 'A form field value is too long.' },
  LIMIT_FIELD_NESTING: {
    status: 400,
    code: 'INVALID_FIELD_NAME',
    error: 'Form field names are plain names, without brackets.',
  },
  LIMIT_FIELD_ARRAY_INDEX: {
    status: 400,
    code: 'INVALID_FIELD_NAME',
    error: 'Form field names are plain names, without brackets.',
  },
};

/** Maps any error to `{ error, code }` JSON with the right status; never a stack trace. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof DomainError) {
    return { status: STATUS_BY_KIND[err.kind], body: { error: err.message, code: err.code } };
  }
  if (err instanceof MulterError) {
    const known = MULTER_ERRORS[err.code];
    if (known) return { status: known.status, body: { error: known.error, code: known.code } };
    return { status: 400, body: { error: 'The upload form is malformed.', code: 'INVALID_MULTIPART' } };
  }
  // busboy (multer's parser) and Express/body errors carry a 4xx `status`.
  const status = statusOf(err);
  if (status !== null && status >= 400 && status < 500) {
    return {
      status,
      body: { error: clientMessage(err, status), code: status === 400 ? 'BAD_REQUEST' : `HTTP_${status}` },
    };
  }
  if (isMultipartParseError(err)) {
    return {
      status: 400,
      body: { error: 'The multipart body is malformed or was cut off.', code: 'INVALID_MULTIPART' },
    };
  }
  // Outages reached outside a guarded queue call (fleet reads, say) are still outages.
  const redis = redisFailure(err);
  if (redis) return { status: STATUS_BY_KIND[redis.kind], body: { error: redis.message, code: redis.code } };
  if (isErrno(err, 'ENOSPC') || isErrno(err, 'EDQUOT')) {
    return {
      status: 507,
      body: { error: 'The server has no storage space left for this upload; try again later.', code: 'STORAGE_FULL' },
    };
  }
  return { status: 500, body: { error: 'Internal server error.', code: 'INTERNAL_ERROR' } };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const requestId: unknown = res.locals['requestId'];
    if (res.headersSent) {
      // Already answered (an upload cut off, say): its parser's complaint
      // about the body that never came is expected, and nobody reads more.
      logger.debug('request failed after its answer', { request_id: requestId, ...describeError(err) });
      if (!res.writableEnded) req.socket.destroy();
      return;
    }
    if (clientGone(req)) {
      // The client hung up mid-request: its choice, not a fault of ours,
      // and there is no one left to answer.
      logger.info('client aborted the request', {
        request_id: requestId,
        method: req.method,
        path: req.path,
        reason: err instanceof Error ? err.message : String(err),
      });
      return;
    }
    const { status, body } = toErrorResponse(err);
    const meta = { request_id: requestId, method: req.method, path: req.path, status, code: body.code };
    if (status >= 500) logger.error('request failed', { ...meta, ...describeError(err) });
    else logger.debug('request rejected', meta);
    res.status(status).json(body);
  };
}

export const notFoundHandler: RequestHandler = (_req, res) => {
  res.status(404).json({ error: 'No such route.', code: 'NOT_FOUND' } satisfies ErrorBody);
};

function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && Reflect.get(err, 'code') === code;
}

/** The connection is gone, or the request body was cut short by the client. */
function clientGone(req: Request): boolean {
  return req.socket.destroyed || (req.destroyed && !req.complete);
}

function statusOf(err: unknown): number | null {
  if (typeof err !== 'object' || err === null) return null;
  const value: unknown = Reflect.get(err, 'status') ?? Reflect.get(err, 'statusCode');
  return typeof value === 'number' ? value : null;
}

function clientMessage(err: unknown, status: number): string {
  if (err instanceof URIError) return 'The URL is not valid percent-encoding.';
  return status === 400 ? 'Bad request.' : 'The request was refused.';
}

// busboy's errors have no code; these are all the messages it throws
// (node_modules/busboy/lib), every one about a malformed request body.
const BUSBOY_ERRORS =
  /^(?:Malformed content type|Malformed part header|Malformed urlencoded form|Missing Content-Type|Multipart: Boundary not found|Unexpected end of file|Unexpected end of form|Unsupported content type)/;

function isMultipartParseError(err: unknown): boolean {
  return err instanceof Error && BUSBOY_ERRORS.test(err.message);
}
