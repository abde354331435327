import { CODECS, PRIORITIES, QUALITY_PROFILES } from '@stream-server/contract';
import { errorRefs } from './openapi-errors';
import { jsonSubmitOf, SOURCE_URL_FIELD } from './openapi-submit';
import type { MediaType, Operation, Parameter, PathItem, ResponseObject, SecurityRequirement } from './openapi-types';

/** Every route the API serves; the test checks this list against the app's router both ways. */

const json = (schema: string): Record<string, MediaType> => ({
  'application/json': { schema: { $ref: `#/components/schemas/${schema}` } },
});
const ok = (description: string, content: Record<string, MediaType>): ResponseObject => ({
  description,
  headers: { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } },
  content,
});
const param = (name: string) => ({ $ref: `#/components/parameters/${name}` });
const binary = (mediaType: string): MediaType => ({ schema: { type: 'string', contentMediaType: mediaType } });

/** Bearer auth applies only once API_KEYS / a JWT key is configured; the scope is the one named. */
const bearer = (scope: string): readonly SecurityRequirement[] => [{ bearerAuth: [scope] }];
/** HLS: open, or with PLAYBACK_SIGNING_KEY set, the signed `token` query parameter. */
const playback: readonly SecurityRequirement[] = [{}, { playbackToken: [] }];
const open: readonly SecurityRequirement[] = [];
/** A job's waveform and download: readable like the job (`jobs:read`), or with its playback token (the URLs in the job carry one). */
const mediaAccess: readonly SecurityRequirement[] = [{ bearerAuth: ['jobs:read'] }, { playbackToken: [] }];

export const PARAMETERS: Readonly<Record<string, Parameter>> = {
  JobId: { name: 'id', in: 'path', required: true, description: 'Job id (a UUID).', schema: { type: 'string' } },
  HlsJobId: { name: 'job_id', in: 'path', required: true, description: 'Job id (a UUID).', schema: { type: 'string' } },
  Segment: {
    name: 'segment',
    in: 'path',
    required: true,
    description: '`segment_00001.ts` (MPEG-TS), `segment_00001.m4s` or `init.mp4` (fragmented MP4).',
    schema: { type: 'string', pattern: '^(?:segment_[0-9]{5}\\.(?:ts|m4s)|init\\.mp4)$' },
  },
  Rendition: {
    name: 'rendition',
    in: 'path',
    required: true,
    description: 'Rendition name of a multi-rendition (ABR) job.',
    schema: { enum: QUALITY_PROFILES },
  },
  PlaybackToken: {
    name: 'token',
    in: 'query',
    required: false,
    description:
      'Signed playback token `<expires>.<signature>`; required when PLAYBACK_SIGNING_KEY is set. Copy it from `manifest_url`.',
    schema: { type: 'string', pattern: '^[0-9]+\\.[A-Za-z0-9_-]+$' },
  },
};

/** Form booleans: true/false/1/0 in any case; anything else is 400 `INVALID_BOOLEAN`. */
const flag = { type: 'string', pattern: '^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|1|0)$' } as const;

const submitForm: MediaType = {
  schema: {
    type: 'object',
    properties: {
      file: {
        type: 'string',
        contentMediaType: 'application/octet-stream',
        description: 'The audio, exactly one file; or `source_url` instead.',
      },
      source_url: SOURCE_URL_FIELD,
      codec: { enum: CODECS, description: 'Default: AAC, or FLAC for `hi_res`.' },
      bitrate: { type: 'string', pattern: '^[0-9]+$', description: 'Bits per second; wins over the profile.' },
      quality_profile: { enum: QUALITY_PROFILES, default: 'high' },
      priority: { enum: PRIORITIES, default: 'normal' },
      track_id: { type: 'string', maxLength: 200, description: "Echoed back; defaults to the file name's stem." },
      renditions: {
        type: 'string',
        pattern: '^(?:low|medium|high|hi_res)(?:,(?:low|medium|high|hi_res))*$',
        description:
          'Comma-separated profiles (no repeats, at most 4) for adaptive streaming: a master playlist over one media playlist ' +
          'per rendition, lowest first. Not with `bitrate`.',
        examples: ['low,medium,high'],
      },
      abr: { ...flag, description: '`true` alone: the default ladder `low,medium,high`.' },
      normalize: {
        ...flag,
        description: 'Normalise loudness to LOUDNESS_TARGET LUFS, true peak ≤ LOUDNESS_TRUE_PEAK (EBU R128).',
      },
      download: { ...flag, description: 'Also write one downloadable `.m4a` (AAC) in the same pass.' },
      callback_url: {
        type: 'string',
        format: 'uri',
        description:
          'http(s) URL POSTed an HMAC-signed JSON event when the job ends (retried up to WEBHOOK_RETRY_HOURS). ' +
          'Without WEBHOOK_SECRET: 400 `WEBHOOKS_DISABLED`; loopback and private hosts: 400 `INVALID_CALLBACK_URL` ' +
          'unless WEBHOOK_ALLOW_PRIVATE.',
      },
    },
  },
};

const jobRead = (operationId: string, summary: string, extra: Partial<Operation> = {}): Operation => ({
  operationId,
  summary,
  tags: ['jobs'],
  security: bearer('jobs:read'),
  responses: { '200': ok(summary, json('Job')), ...errorRefs(400, 401, 403, 404, 429, 503) },
  ...extra,
});

/** With MEDIA_PUBLIC_BASE_URL, media bytes come from there: the API answers 302 once access is checked. */
const REDIRECT: ResponseObject = {
  description:
    'With STORAGE_DRIVER=s3 and MEDIA_PUBLIC_BASE_URL set: the file is at `Location` (the base URL and the object key).',
  headers: {
    Location: { description: 'MEDIA_PUBLIC_BASE_URL/<object key>', schema: { type: 'string', format: 'uri' } },
  },
};

const hlsFile = (operationId: string, summary: string, types: readonly string[]): Operation => ({
  operationId,
  summary,
  tags: ['playback'],
  security: playback,
  parameters: [param('PlaybackToken')],
  responses: {
    '200': ok(summary, Object.fromEntries(types.map((type) => [type, binary(type)]))),
    // Playlists are always served (and signed) by the API; segments may be redirected.
    ...(types === SEGMENT_TYPES ? { '302': REDIRECT } : {}),
    ...errorRefs(400, 403, 404, 410, 416, 429, 503),
  },
});

/** A browser library the page loads, served from the installed package so the page needs no CDN. */
const vendorScript = (operationId: string, library: string): PathItem => ({
  get: {
    operationId,
    summary: `${library}, served from the installed package so the page needs no CDN`,
    tags: ['web'],
    security: open,
    responses: {
      '200': ok('The script.', { 'application/javascript': { schema: { type: 'string' } } }),
      ...errorRefs(404),
    },
  },
});

const PLAYLIST_TYPES = ['application/vnd.apple.mpegurl'];
const SEGMENT_TYPES = ['video/mp2t', 'video/mp4'];

export const PATHS: Readonly<Record<string, PathItem>> = {
  '/v1/stream/transcode': {
    post: {
      operationId: 'submitTranscode',
      summary: 'Upload a track and queue its transcode',
      tags: ['jobs'],
      security: bearer('transcode:write'),
      requestBody: {
        required: true,
        content: { 'multipart/form-data': submitForm, 'application/json': jsonSubmitOf(submitForm) },
      },
      responses: {
        '200': ok('Queued.', json('SubmitResponse')),
        ...errorRefs(400, 401, 403, 408, 413, 429, 503, 504, 507),
      },
    },
  },
  '/v1/stream/jobs': {
    get: {
      operationId: 'listJobs',
      summary: 'Recent jobs, newest first (operators)',
      tags: ['ops'],
      security: bearer('jobs:read'),
      parameters: [
        {
          name: 'limit',
          in: 'query',
          description: 'At most this many, 1 to 100 (default 20); else 400 `INVALID_LIMIT`.',
          schema: { type: 'string', pattern: '^[0-9]+$' },
        },
        {
          name: 'state',
          in: 'query',
          description: 'Only jobs in this queue state; else 400 `INVALID_STATE`.',
          schema: { enum: ['waiting', 'active', 'completed', 'failed', 'delayed'] },
        },
      ],
      responses: { '200': ok('Jobs.', json('JobList')), ...errorRefs(400, 401, 403, 429, 503) },
    },
  },
  '/v1/stream/job/{id}': {
    parameters: [param('JobId')],
    get: jobRead('getJob', 'Job state'),
    delete: {
      operationId: 'cancelJob',
      summary: 'Cancel a pending or running job',
      description:
        'Answers the job, now `Cancelled`. Repeating the call is harmless; a job that already ended gets 409.',
      tags: ['jobs'],
      security: bearer('transcode:write'),
      responses: { '200': ok('Cancelled.', json('Job')), ...errorRefs(400, 401, 403, 404, 409, 429, 503) },
    },
  },
  '/v1/stream/job/{id}/output': {
    parameters: [param('JobId')],
    delete: {
      operationId: 'purgeJobOutput',
      summary: "Take a finished job's outputs down",
      description:
        'Removes the playlists, segments, waveform and download of a finished job (also one whose record has ' +
        'expired). From then on they answer 410 OUTPUT_PURGED, from every API instance and its segment cache; the job ' +
        'keeps its status and gains `purged_at`. Repeating it is harmless. A job still Pending or Processing answers ' +
        '409 JOB_NOT_FINISHED: cancel it instead.',
      tags: ['jobs'],
      security: bearer('transcode:write'),
      responses: {
        '204': { description: 'Taken down.' },
        ...errorRefs(400, 401, 403, 404, 409, 429, 503),
      },
    },
  },
  '/v1/stream/job/{id}/events': {
    parameters: [param('JobId')],
    get: {
      operationId: 'jobEvents',
      summary: 'Live job progress (Server-Sent Events)',
      description:
        'First `event: state` (data: a `Job`), then `event: progress` (data: a `ProgressEvent`), once ' +
        '`event: playable` (data: the job body with `live_manifest_url`) when the live playlist can be played, and one terminal ' +
        '`completed` / `failed` / `cancelled` event (data: the job body), after which the server closes the stream. ' +
        'A `: keep-alive` comment every SSE_HEARTBEAT_SECONDS. Each event has an `id:`. With auth on, read it with fetch() ' +
        'and an Authorization header (EventSource cannot send one).',
      tags: ['jobs'],
      security: bearer('jobs:read'),
      responses: {
        '200': ok('The event stream.', { 'text/event-stream': { schema: { type: 'string' } } }),
        ...errorRefs(400, 401, 403, 404, 429, 503),
      },
    },
  },
  '/v1/stream/job/{id}/waveform.json': {
    parameters: [param('JobId')],
    get: {
      operationId: 'getWaveform',
      summary: 'Waveform peaks of a completed job',
      tags: ['jobs'],
      security: mediaAccess,
      parameters: [param('PlaybackToken')],
      responses: {
        '200': ok('Peaks.', json('Waveform')),
        '302': REDIRECT,
        ...errorRefs(400, 401, 403, 404, 410, 416, 429, 503),
      },
    },
  },
  '/v1/stream/job/{id}/download': {
    parameters: [param('JobId')],
    get: {
      operationId: 'downloadJob',
      summary: 'The transcoded track as one file (when submitted with download=true)',
      tags: ['jobs'],
      security: mediaAccess,
      parameters: [param('PlaybackToken')],
      responses: {
        '200': ok('The file (AAC in MP4, `.m4a`), as an attachment named after the track.', {
          'audio/mp4': binary('audio/mp4'),
        }),
        '302': REDIRECT,
        ...errorRefs(400, 401, 403, 404, 416, 429, 503),
      },
    },
  },
  '/v1/stream/hls/{job_id}/index.m3u8': {
    parameters: [param('HlsJobId')],
    get: hlsFile('getPlaylist', 'The playlist (the master playlist of an ABR job)', PLAYLIST_TYPES),
  },
  '/v1/stream/hls/{job_id}/live.m3u8': {
    parameters: [param('HlsJobId')],
    get: hlsFile(
      'getLivePlaylist',
      'The live playlist: an EVENT playlist (a multivariant one for a ladder) that lists whole segments while the ' +
        'job runs and ends with EXT-X-ENDLIST once it completed. 404 while Pending, and once Cancelled or Failed.',
      PLAYLIST_TYPES,
    ),
  },
  '/v1/stream/hls/{job_id}/{segment}': {
    parameters: [param('HlsJobId'), param('Segment')],
    get: hlsFile('getSegment', 'A segment', SEGMENT_TYPES),
  },
  '/v1/stream/hls/{job_id}/{rendition}/index.m3u8': {
    parameters: [param('HlsJobId'), param('Rendition')],
    get: hlsFile('getRenditionPlaylist', "One rendition's media playlist (ABR jobs)", PLAYLIST_TYPES),
  },
  '/v1/stream/hls/{job_id}/{rendition}/live.m3u8': {
    parameters: [param('HlsJobId'), param('Rendition')],
    get: hlsFile('getRenditionLivePlaylist', "One rendition's live playlist (ABR jobs)", PLAYLIST_TYPES),
  },
  '/v1/stream/hls/{job_id}/{rendition}/{segment}': {
    parameters: [param('HlsJobId'), param('Rendition'), param('Segment')],
    get: hlsFile('getRenditionSegment', 'A segment of one rendition (ABR jobs)', SEGMENT_TYPES),
  },
  '/v1/stream/queue/stats': {
    get: {
      operationId: 'queueStats',
      summary: 'Queue counts, workers online and throughput, for dashboards',
      tags: ['ops'],
      security: bearer('jobs:read'),
      responses: { '200': ok('Stats.', json('QueueStats')), ...errorRefs(401, 403, 429, 503) },
    },
  },
  '/v1/stream/openapi.json': {
    get: {
      operationId: 'openApiDocument',
      summary: 'This document',
      tags: ['meta'],
      security: open,
      responses: { '200': ok('OpenAPI 3.1.', { 'application/json': { schema: { type: 'object' } } }) },
    },
  },
  '/health': {
    get: {
      operationId: 'health',
      summary: 'Health: 200 while Redis takes writes and the upload volume has room, 503 otherwise (saying which)',
      tags: ['ops'],
      security: open,
      responses: {
        '200': ok('Up.', json('Health')),
        '503': ok('Redis is down or refusing writes, or the storage is full or not writable.', json('Health')),
      },
    },
  },
  '/metrics': {
    get: {
      operationId: 'metrics',
      summary: 'Prometheus metrics of the whole fleet',
      tags: ['ops'],
      security: bearer('admin'),
      responses: {
        '200': ok('Prometheus text exposition format.', { 'text/plain': { schema: { type: 'string' } } }),
        ...errorRefs(401, 403),
      },
    },
  },
  '/admin/queues': {
    get: {
      operationId: 'adminDashboard',
      summary: 'bull-board queue dashboard (HTML; its own assets and API live under this path)',
      tags: ['ops'],
      security: bearer('admin'),
      responses: {
        '200': ok('The dashboard.', { 'text/html': { schema: { type: 'string' } } }),
        ...errorRefs(401, 403),
      },
    },
  },
  '/': webPage('webUpload', 'The web page: upload a track, follow it, listen (its scripts are under /assets/)'),
  '/ops': webPage('webOps', 'The operator view of the queue (reads the ops routes with your key)'),
  '/assets/vendor/hls.min.js': vendorScript('webHlsJs', 'hls.js'),
  '/assets/vendor/tus.min.js': vendorScript('webTusJs', 'tus-js-client (the page’s resumable uploads)'),
  '/assets/contract.js': {
    get: {
      operationId: 'webContract',
      summary:
        "The API bodies' field names and enums as an ES module, written from the contract the schemas above come from",
      tags: ['web'],
      security: open,
      responses: {
        '200': ok('The script.', { 'application/javascript': { schema: { type: 'string' } } }),
      },
    },
  },
};

function webPage(operationId: string, summary: string): PathItem {
  return {
    get: {
      operationId,
      summary,
      tags: ['web'],
      security: open,
      responses: { '200': ok('HTML.', { 'text/html': { schema: { type: 'string' } } }), ...errorRefs(404) },
    },
  };
}
