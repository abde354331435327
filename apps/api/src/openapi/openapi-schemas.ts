import type { JsonSchema } from './openapi-types';

/**
 * JSON Schemas (2020-12) of every JSON body the API sends. They are
 * strict on purpose: `tests/e2e/openapi.test.ts` validates real responses
 * against them, so a renamed, dropped or extra field fails a test instead
 * of surprising a client generated from this document.
 */

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] });
const isoTime: JsonSchema = { type: 'string', format: 'date-time' };
const count: JsonSchema = { type: 'integer', minimum: 0 };

export const CODECS = ['aac', 'mp3', 'opus', 'flac'] as const;
export const QUALITY_PROFILES = ['low', 'medium', 'high', 'hi_res'] as const;
export const PRIORITIES = ['urgent', 'normal', 'background'] as const;

/** `Failed(<reason>)` may carry any text, newlines included. */
export const STATUS_PATTERN = '^(?:Pending|Processing|Completed|Cancelled|Failed\\([\\s\\S]*\\))$';
const JOB_ID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const TOKEN_SUFFIX = '(?:\\?token=[^&#\\s]+)?$';

const loudness: JsonSchema = {
  type: 'object',
  description: 'EBU R128 measurement.',
  additionalProperties: false,
  required: ['integrated_lufs', 'loudness_range_lu', 'true_peak_dbtp'],
  properties: {
    integrated_lufs: { type: 'number', description: 'Integrated loudness, LUFS.' },
    loudness_range_lu: { type: 'number', description: 'Loudness range, LU.' },
    true_peak_dbtp: { type: 'number', description: 'True peak, dBTP.' },
  },
};

const rendition: JsonSchema = {
  type: 'object',
  description: 'One HLS rendition of the job (a single-rendition job has one, named after its profile).',
  additionalProperties: false,
  required: ['name', 'codec', 'bitrate', 'bandwidth', 'average_bandwidth', 'playlist_url'],
  properties: {
    name: { enum: QUALITY_PROFILES },
    codec: { enum: CODECS },
    bitrate: nullable({ type: 'integer', minimum: 1, description: 'Target bits per second (null: lossless).' }),
    bandwidth: nullable({ type: 'integer', minimum: 1, description: 'Peak bits per second, as in the master playlist.' }),
    average_bandwidth: nullable({ type: 'integer', minimum: 1 }),
    playlist_url: nullable({ type: 'string', pattern: `^/v1/stream/hls/[^?#\\s]+\\.m3u8${TOKEN_SUFFIX}` }),
  },
};

const sourceInfo: JsonSchema = {
  type: 'object',
  description: 'What the upload was, as probed.',
  additionalProperties: false,
  required: ['codec', 'sample_rate', 'channels', 'bitrate', 'duration_seconds', 'tags'],
  properties: {
    codec: { type: 'string' },
    sample_rate: { type: 'integer', minimum: 1 },
    channels: { type: 'integer', minimum: 1 },
    bitrate: nullable({ type: 'integer', minimum: 0 }),
    duration_seconds: { type: 'number', minimum: 0 },
    tags: {
      type: 'object',
      additionalProperties: false,
      properties: {
        title: { type: 'string' },
        artist: { type: 'string' },
        album: { type: 'string' },
        track: { type: 'string' },
      },
    },
  },
};

/**
 * Fields every job body has. The first eight are the seed's (names,
 * meaning and order unchanged); the rest are ours.
 */
const jobProperties: Readonly<Record<string, JsonSchema>> = {
  id: { type: 'string', format: 'uuid', pattern: JOB_ID_PATTERN },
  track_id: { type: 'string', description: 'Echo of the submitted track_id, else the file name stem.' },
  status: {
    type: 'string',
    pattern: STATUS_PATTERN,
    description: '`Pending` → `Processing` → `Completed`, `Failed(<reason>)` or `Cancelled`.',
    examples: ['Pending', 'Processing', 'Completed', 'Cancelled', 'Failed(timeout)'],
  },
  progress: { type: 'number', minimum: 0, maximum: 100 },
  created_at: isoTime,
  started_at: nullable(isoTime),
  completed_at: nullable(isoTime),
  error: nullable({ type: 'string', description: 'The failure reason when `Failed(...)`, else null.' }),
  codec: { enum: CODECS },
  quality_profile: { enum: QUALITY_PROFILES },
  priority: { enum: PRIORITIES },
  bitrate: nullable({ type: 'integer', minimum: 1 }),
  sample_rate: { type: 'integer', minimum: 1 },
  channels: { type: 'integer', minimum: 1 },
  duration_seconds: { type: 'number', minimum: 0 },
  attempts: count,
  manifest_url: nullable({
    type: 'string',
    description: 'Set once Completed; carries `?token=` when playback is signed. Relative to the API.',
    pattern: `^/v1/stream/hls/[0-9a-f-]{36}/index\\.m3u8${TOKEN_SUFFIX}`,
  }),
};

/** Fields added by issue 6's parts (renditions, loudness, waveform, download, webhooks). */
const jobExtensionProperties: Readonly<Record<string, JsonSchema>> = {
  renditions: { type: 'array', items: ref('Rendition') },
  normalize: { type: 'boolean' },
  loudness: nullable(ref('Loudness')),
  output_loudness: nullable(ref('Loudness')),
  source: ref('SourceInfo'),
  waveform_url: nullable({ type: 'string', pattern: `^/v1/stream/job/[0-9a-f-]{36}/waveform\\.json${TOKEN_SUFFIX}` }),
  download_url: nullable({ type: 'string', pattern: `^/v1/stream/job/[0-9a-f-]{36}/download${TOKEN_SUFFIX}` }),
  callback_url: nullable({ type: 'string', format: 'uri' }),
};

/** Names of the job body's fields, in order (the client's types are checked against it). */
export const JOB_FIELDS: readonly string[] = [...Object.keys(jobProperties), ...Object.keys(jobExtensionProperties)];

const job: JsonSchema = {
  type: 'object',
  description: 'A transcode job, as `GET /v1/stream/job/{id}` returns it.',
  additionalProperties: false,
  required: JOB_FIELDS,
  properties: { ...jobProperties, ...jobExtensionProperties },
};

const submitResponse: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['job_id', 'status', 'message'],
  properties: {
    job_id: { type: 'string', format: 'uuid', pattern: JOB_ID_PATTERN },
    status: { const: 'queued' },
    message: { const: 'Job submitted successfully' },
  },
};

const errorBody: JsonSchema = {
  type: 'object',
  description: 'Every error: a sentence for people and a stable code for programs. Never a stack trace.',
  additionalProperties: false,
  required: ['error', 'code'],
  properties: {
    error: { type: 'string', minLength: 1 },
    code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$' },
  },
};

const health: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'redis'],
  properties: {
    status: { enum: ['ok', 'unavailable'] },
    redis: { enum: ['up', 'down'] },
    error: { type: 'string' },
    code: { const: 'REDIS_UNAVAILABLE' },
  },
};

const priorityCounts: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['waiting', 'active'],
  properties: { waiting: count, active: count },
};

const windowCounts: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['last_1m', 'last_5m', 'last_15m'],
  properties: { last_1m: count, last_5m: count, last_15m: count },
};

const queueStats: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['counts', 'by_priority', 'workers', 'throughput', 'oldest_waiting_age_seconds', 'generated_at'],
  properties: {
    counts: {
      type: 'object',
      description: 'Jobs by queue state (`waiting` includes prioritized ones; finished ones until JOB_RETENTION_DAYS).',
      additionalProperties: false,
      required: ['waiting', 'active', 'delayed', 'completed', 'failed'],
      properties: { waiting: count, active: count, delayed: count, completed: count, failed: count, paused: count },
    },
    by_priority: {
      type: 'object',
      additionalProperties: false,
      required: [...PRIORITIES],
      properties: { urgent: priorityCounts, normal: priorityCounts, background: priorityCounts },
    },
    workers: { type: 'array', items: ref('WorkerInfo'), description: 'Workers online now.' },
    throughput: {
      type: 'object',
      description: 'Jobs finished in each trailing window; `failed`: of those, the ones that failed for good.',
      additionalProperties: false,
      required: ['last_1m', 'last_5m', 'last_15m', 'failed'],
      properties: { last_1m: count, last_5m: count, last_15m: count, failed: windowCounts },
    },
    oldest_waiting_age_seconds: nullable({ type: 'number', minimum: 0 }),
    generated_at: isoTime,
  },
};

const workerInfo: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'host', 'concurrency', 'current_jobs', 'codecs', 'ffmpeg_version', 'started_at'],
  properties: {
    id: { type: 'string' },
    host: { type: 'string' },
    concurrency: { type: 'integer', minimum: 1 },
    current_jobs: { type: 'array', items: { type: 'string', format: 'uuid' } },
    codecs: { type: 'array', items: { enum: CODECS }, description: 'Codecs its ffmpeg could write at start.' },
    ffmpeg_version: { type: 'string' },
    started_at: isoTime,
  },
};

const jobList: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['jobs'],
  properties: { jobs: { type: 'array', items: ref('Job'), description: 'Newest first.' } },
};

/** audiowaveform's JSON format, version 2 (what waveform-data.js and peaks.js read). */
const waveform: JsonSchema = {
  type: 'object',
  description: 'Min/max peak pairs of the source, for drawing a waveform (audiowaveform JSON, version 2).',
  additionalProperties: false,
  required: ['version', 'channels', 'sample_rate', 'samples_per_pixel', 'bits', 'length', 'data'],
  properties: {
    version: { const: 2 },
    channels: { type: 'integer', minimum: 1 },
    sample_rate: { type: 'integer', minimum: 1 },
    samples_per_pixel: { type: 'integer', minimum: 1 },
    bits: { enum: [8, 16] },
    length: { type: 'integer', minimum: 0, description: 'Number of min/max pairs per channel.' },
    data: { type: 'array', items: { type: 'integer', minimum: -32768, maximum: 32767 }, description: 'min, max, min, max… (channels interleaved).' },
  },
};

/** `data:` of an SSE `progress` event (`state` and the terminal events carry a Job). */
const progressEvent: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['job_id', 'progress'],
  properties: { job_id: { type: 'string', format: 'uuid' }, progress: { type: 'number', minimum: 0, maximum: 100 } },
};

export const SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  Job: job,
  Rendition: rendition,
  Loudness: loudness,
  SourceInfo: sourceInfo,
  SubmitResponse: submitResponse,
  Error: errorBody,
  Health: health,
  QueueStats: queueStats,
  WorkerInfo: workerInfo,
  JobList: jobList,
  Waveform: waveform,
  ProgressEvent: progressEvent,
};
