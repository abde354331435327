import type { Header, ResponseObject } from './openapi-types';

/**
 * Error codes by HTTP status, as in README's error table (the test keeps
 * the two equal). Each status gets a reusable response whose schema pins
 * `code` to its list, so a code moved to another status, or a new code
 * nobody documented, fails validation of the real response.
 */
const ERROR_CODES_BY_STATUS: Readonly<Record<string, readonly string[]>> = {
  '400': [
    'MISSING_FILE',
    'EMPTY_FILE',
    'TOO_MANY_FILES',
    'UNEXPECTED_FILE',
    'INVALID_MULTIPART',
    'TOO_MANY_FIELDS',
    'TOO_MANY_PARTS',
    'FIELD_TOO_LONG',
    'FIELD_NAME_TOO_LONG',
    'INVALID_FIELD_NAME',
    'BAD_REQUEST',
    'DURATION_TOO_LONG',
    'TOO_MANY_CHANNELS',
    'SAMPLE_RATE_TOO_HIGH',
    'INVALID_AUDIO',
    'UNSUPPORTED_FORMAT',
    'NO_AUDIO_STREAM',
    'INVALID_CODEC',
    'INVALID_QUALITY_PROFILE',
    'INVALID_PRIORITY',
    'INVALID_BITRATE',
    'INVALID_TRACK_ID',
    'CODEC_UNAVAILABLE',
    'INVALID_JOB_ID',
    'INVALID_SEGMENT_NAME',
    'JOB_NOT_COMPLETED',
    'INVALID_RENDITIONS',
    'INVALID_BOOLEAN',
    'INVALID_RENDITION_NAME',
    'INVALID_LIMIT',
    'INVALID_STATE',
    'INVALID_CALLBACK_URL',
    'WEBHOOKS_DISABLED',
    'INVALID_UPLOAD_LENGTH',
    'INVALID_METADATA',
    'FILE_AND_SOURCE_URL',
    'SOURCE_URL_INVALID',
    'SOURCE_URL_FORBIDDEN',
  ],
  '401': ['AUTH_REQUIRED', 'INVALID_TOKEN', 'TOKEN_EXPIRED'],
  '403': ['INSUFFICIENT_SCOPE', 'PLAYBACK_TOKEN_REQUIRED', 'PLAYBACK_TOKEN_EXPIRED', 'PLAYBACK_TOKEN_INVALID'],
  '404': [
    'JOB_NOT_FOUND',
    'MANIFEST_NOT_FOUND',
    'SEGMENT_NOT_FOUND',
    'WAVEFORM_NOT_FOUND',
    'DOWNLOAD_NOT_FOUND',
    'NOT_FOUND',
  ],
  '408': ['UPLOAD_TIMEOUT', 'UPLOAD_TOO_SLOW'],
  '409': ['JOB_FINISHED', 'JOB_NOT_FINISHED', 'UPLOAD_FINISHING'],
  '410': ['OUTPUT_PURGED'],
  '413': ['FILE_TOO_LARGE', 'SOURCE_TOO_LARGE'],
  '416': ['RANGE_NOT_SATISFIABLE'],
  '429': ['RATE_LIMITED'],
  '500': ['INTERNAL_ERROR'],
  '503': [
    'QUEUE_UNAVAILABLE',
    'REDIS_UNAVAILABLE',
    'TOO_MANY_UPLOADS',
    'PROBE_TIMEOUT',
    'SHUTTING_DOWN',
    'STORAGE_UNAVAILABLE',
  ],
  '504': ['SOURCE_FETCH_TIMEOUT'],
  '507': ['STORAGE_FULL'],
};

const TITLES: Readonly<Record<string, string>> = {
  '400': 'BadRequest',
  '401': 'Unauthorized',
  '403': 'Forbidden',
  '404': 'NotFound',
  '408': 'UploadTimeout',
  '409': 'Conflict',
  '410': 'Gone',
  '413': 'TooLarge',
  '416': 'RangeNotSatisfiable',
  '429': 'RateLimited',
  '500': 'InternalError',
  '503': 'Unavailable',
  '504': 'GatewayTimeout',
  '507': 'StorageFull',
};

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  '400': 'The request is invalid (bad form, field, audio, source URL or id), or the job has not completed yet.',
  '401': 'No bearer token, or an invalid or expired one (with a `WWW-Authenticate: Bearer` challenge).',
  '403': "The token lacks the route's scope, or the playback token is missing, expired or not this job's.",
  '404': 'No such job or file (`NOT_FOUND`: no such route).',
  '408':
    'The upload sent nothing for UPLOAD_IDLE_TIMEOUT_SECONDS, or less than UPLOAD_MIN_BYTES_PER_SECOND on average over UPLOAD_RATE_WINDOW_SECONDS.',
  '409': 'The job has already ended (cancel), or has not (takedown).',
  '410': "The job's outputs were taken down (DELETE …/output or OUTPUT_RETENTION_DAYS).",
  '413': 'The upload, or the file at `source_url`, is larger than MAX_UPLOAD_BYTES.',
  '416': 'The Range asks for bytes past the end of the file (`Content-Range: bytes */<size>`).',
  '429': 'Over the per-minute budget; retry after `Retry-After` seconds.',
  '500': 'An unexpected fault; the message says nothing more.',
  '503':
    'Redis (the queue) is not reachable, not answering, or refusing writes (the message says which); ' +
    'MAX_CONCURRENT_UPLOADS uploads are in flight, or the API is stopping (both with `Retry-After`); ' +
    'or ffprobe ran past PROBE_TIMEOUT_SECONDS; or the storage (STORAGE_DIR, or the bucket with STORAGE_DRIVER=s3) failed.',
  '504': 'The file at `source_url` did not arrive within INGEST_TIMEOUT_SECONDS; nothing was kept.',
  '507': 'The server has no storage space left for the upload; nothing was kept.',
};

export const HEADERS: Readonly<Record<string, Header>> = {
  'X-Request-Id': {
    description: "The request's id (the caller's own, when it sent a sane one); also in the logs.",
    schema: { type: 'string' },
  },
  'WWW-Authenticate': { description: 'RFC 6750 Bearer challenge.', schema: { type: 'string', pattern: '^Bearer ' } },
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'string', pattern: '^[0-9]+$' } },
};

function errorResponse(status: string, codes: readonly string[]): ResponseObject {
  const headers: Record<string, { $ref: string }> = { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } };
  if (status === '401') headers['WWW-Authenticate'] = { $ref: '#/components/headers/WWW-Authenticate' };
  if (status === '429' || status === '503') headers['Retry-After'] = { $ref: '#/components/headers/Retry-After' };
  return {
    description: `${DESCRIPTIONS[status] ?? 'Error.'} Codes: ${codes.map((code) => `\`${code}\``).join(', ')}.`,
    headers,
    content: {
      'application/json': {
        schema: {
          type: 'object',
          allOf: [{ $ref: '#/components/schemas/Error' }],
          properties: { code: { enum: codes } },
        },
        example: { error: 'A sentence saying what went wrong.', code: codes[0] },
      },
    },
  };
}

/** `#/components/responses/<Title>` for each documented error status. */
export const ERROR_RESPONSES: Readonly<Record<string, ResponseObject>> = Object.fromEntries(
  Object.entries(ERROR_CODES_BY_STATUS).map(([status, codes]) => [
    TITLES[status] ?? `Error${status}`,
    errorResponse(status, codes),
  ]),
);

/** `{ '404': { $ref: '#/components/responses/NotFound' }, … }` for an operation's `responses`. */
export function errorRefs(...statuses: readonly number[]): Record<string, { $ref: string }> {
  return Object.fromEntries(
    statuses.map((status) => {
      const title = TITLES[String(status)];
      if (!title) throw new Error(`no documented error response for ${status}`);
      return [String(status), { $ref: `#/components/responses/${title}` }];
    }),
  );
}
