import { MulterError } from 'multer';
import {
  ConflictError,
  InvalidInputError,
  NotFoundError,
  NotReadyError,
  TooLargeError,
  TooSlowError,
  UnavailableError,
  UpstreamTimeoutError,
  UnsupportedError,
  type DomainError,
} from '@stream-server/errors';
import { toErrorResponse } from '../src/middleware/error-handler';

describe('toErrorResponse: domain errors', () => {
  it.each<[string, DomainError, number]>([
    [
      'InvalidInputError',
      new InvalidInputError('INVALID_CODEC', 'Field "codec" must be one of aac, mp3, opus, flac.'),
      400,
    ],
    ['UnsupportedError', new UnsupportedError('CODEC_UNAVAILABLE', 'This server cannot write opus.'), 400],
    ['NotReadyError', new NotReadyError('JOB_NOT_READY', 'The job has not finished yet.'), 400],
    ['NotFoundError', new NotFoundError('JOB_NOT_FOUND', 'No such job.'), 404],
    ['ConflictError', new ConflictError('JOB_FINISHED', 'The job already finished.'), 409],
    ['TooLargeError', new TooLargeError('FILE_TOO_LARGE', 'The file is too large.'), 413],
    ['UnavailableError', new UnavailableError('QUEUE_UNAVAILABLE', 'Redis is down.'), 503],
    ['TooSlowError', new TooSlowError('UPLOAD_TOO_SLOW', 'The upload was too slow.'), 408],
    ['UpstreamTimeoutError', new UpstreamTimeoutError('SOURCE_FETCH_TIMEOUT', 'The origin was too slow.'), 504],
  ])('%s → %d with {error, code}', (_name, err, status) => {
    expect(toErrorResponse(err)).toEqual({ status, body: { error: err.message, code: err.code } });
  });
});

describe('toErrorResponse: multer errors', () => {
  it('LIMIT_FILE_SIZE → 413 FILE_TOO_LARGE', () => {
    const response = toErrorResponse(new MulterError('LIMIT_FILE_SIZE', 'file'));
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('FILE_TOO_LARGE');
    expect(Object.keys(response.body).sort()).toEqual(['code', 'error']);
    expect(response.body.error.length).toBeGreaterThan(0);
  });

  it('LIMIT_UNEXPECTED_FILE → 400', () => {
    const response = toErrorResponse(new MulterError('LIMIT_UNEXPECTED_FILE', 'avatar'));
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('UNEXPECTED_FILE');
  });

  it.each([
    'LIMIT_FILE_COUNT',
    'LIMIT_PART_COUNT',
    'LIMIT_FIELD_COUNT',
    'LIMIT_FIELD_KEY',
    'LIMIT_FIELD_VALUE',
  ] as const)('%s → 400', (code) => {
    const response = toErrorResponse(new MulterError(code));
    expect(response.status).toBe(400);
    expect(response.body.code).toMatch(/^[A-Z_]+$/);
  });
});

describe('toErrorResponse: other errors', () => {
  it('a busboy "Unexpected end of form" → 400 INVALID_MULTIPART', () => {
    expect(toErrorResponse(new Error('Unexpected end of form'))).toEqual({
      status: 400,
      body: { error: expect.any(String), code: 'INVALID_MULTIPART' },
    });
  });

  it('a missing multipart boundary → 400 INVALID_MULTIPART', () => {
    const response = toErrorResponse(new Error('Multipart: Boundary not found'));
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('INVALID_MULTIPART');
  });

  it('a plain error → 500 INTERNAL_ERROR without its message or stack', () => {
    const err = new Error('secret /etc/path');
    const response = toErrorResponse(err);
    expect(response.status).toBe(500);
    expect(response.body.code).toBe('INTERNAL_ERROR');
    expect(Object.keys(response.body).sort()).toEqual(['code', 'error']);
    const json = JSON.stringify(response.body);
    expect(json).not.toContain('secret');
    expect(json).not.toContain('/etc/path');
    expect(json).not.toContain('    at ');
    expect(json).not.toContain('stack');
  });

  it('an object with status 400 → 400', () => {
    const response = toErrorResponse({ status: 400, message: 'secret detail' });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('BAD_REQUEST');
    expect(JSON.stringify(response.body)).not.toContain('secret');
  });

  it('an error with statusCode 413 (body-parser style) → 413', () => {
    const err = Object.assign(new Error('request entity too large'), { statusCode: 413, type: 'entity.too.large' });
    const response = toErrorResponse(err);
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('HTTP_413');
  });

  it('a bad percent-encoding URIError with status 400 → 400', () => {
    const err = Object.assign(new URIError("Failed to decode param '%E0%A4%A'"), { status: 400 });
    const response = toErrorResponse(err);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('BAD_REQUEST');
    expect(response.body.error).not.toContain('%E0');
  });

  it.each<[string, unknown]>([
    ['status 500', { status: 500, message: 'boom' }],
    ['status 302', { status: 302 }],
    ['a string status', { status: '400' }],
    ['a string', 'oops'],
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
  ])('%s → 500 INTERNAL_ERROR', (_name, err) => {
    const response = toErrorResponse(err);
    expect(response).toEqual({ status: 500, body: { error: expect.any(String), code: 'INTERNAL_ERROR' } });
  });
});
