import { ERROR_RESPONSES, HEADERS } from './openapi-errors';
import { PARAMETERS, PATHS } from './openapi-paths';
import { TUS_PATHS } from './openapi-tus-paths';
import { SCHEMAS } from './openapi-schemas';
import type { OpenApiDocument } from './openapi-types';

/**
 * The OpenAPI 3.1 description of the whole HTTP surface, served at
 * `GET /v1/stream/openapi.json`. The paths are written by hand as a typed
 * object (the routes are few and plain); the body schemas are zod's JSON
 * Schema output of the contract package's schemas. Kept true by
 * `tests/e2e/openapi.test.ts`, which checks every documented route is
 * served, every served route is documented, and real responses match.
 */
export const OPENAPI_DOCUMENT: OpenApiDocument = {
  openapi: '3.1.0',
  jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
  info: {
    title: 'stream-server',
    version: '0.2.0',
    description:
      'Audio transcoding and HLS streaming. Upload a track, follow its job, play its HLS playlist. ' +
      'Timestamps are ISO-8601. Errors are JSON `{"error", "code"}`.',
    license: { name: 'MIT', identifier: 'MIT' },
  },
  servers: [{ url: '/', description: 'This server (paths are absolute)' }],
  tags: [
    { name: 'jobs', description: 'Submit, follow and cancel transcodes.' },
    { name: 'playback', description: 'HLS playlists and segments (never behind bearer auth).' },
    { name: 'ops', description: 'Health, queue stats, metrics and the admin dashboard.' },
    { name: 'meta', description: 'This document.' },
    { name: 'web', description: "The browser pages (open; the API calls they make carry the user's key)." },
  ],
  paths: { ...PATHS, ...TUS_PATHS },
  components: {
    schemas: SCHEMAS,
    responses: ERROR_RESPONSES,
    parameters: PARAMETERS,
    headers: HEADERS,
    securitySchemes: {
      bearerAuth: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'API key or JWT',
        description:
          'Only once API_KEYS, JWT_SECRET or JWT_PUBLIC_KEY is set (otherwise every route is open). An API key holds every ' +
          'scope; a JWT (HS256, RS256 or ES256, with exp and aud) holds the scopes in its `scope` / `scopes` claims: ' +
          '`transcode:write`, `jobs:read`, `admin`.',
      },
      playbackToken: {
        type: 'apiKey',
        in: 'query',
        name: 'token',
        description:
          'Only with PLAYBACK_SIGNING_KEY set: an expiring HMAC token for one job, as found in its `manifest_url`; ' +
          'playlists served with it name each segment with the same token.',
      },
    },
  },
};
