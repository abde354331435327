import { errorRefs } from './openapi-errors';
import type { Parameter, PathItem, ResponseObject, SecurityRequirement } from './openapi-types';

/** Resumable uploads (tus 1.0): the routes of resumable-upload-routes.ts. */

const security: readonly SecurityRequirement[] = [{ bearerAuth: ['transcode:write'] }];

const header = (name: string, description: string, required = true): Parameter => ({
  name,
  in: 'header',
  required,
  description,
  schema: { type: 'string' },
});
const tusResumable = header('Tus-Resumable', 'Always `1.0.0`; without it tus answers 412.');
const uploadId: Parameter = {
  name: 'upload_id',
  in: 'path',
  required: true,
  description: 'The upload, as named by the `Location` its creation answered.',
  schema: { type: 'string' },
};
const submitted = (description: string): ResponseObject => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/SubmitResponse' } } },
});
/** tus's own answers (offset conflict, unknown or expired upload) are plain text, as the protocol has them. */
const tusText = (description: string): ResponseObject => ({
  description,
  content: { 'text/plain': { schema: { type: 'string' } } },
});

export const TUS_PATHS: Readonly<Record<string, PathItem>> = {
  '/v1/stream/uploads': {
    post: {
      operationId: 'createUpload',
      summary: 'Create a resumable (tus) upload',
      description:
        'tus 1.0 creation: `Upload-Length` (at most MAX_UPLOAD_BYTES, else 413 `FILE_TOO_LARGE`) and ' +
        '`Upload-Metadata` with `filename` and any submit field (`codec`, `bitrate`, `quality_profile`, `priority`, ' +
        '`track_id`, `renditions`, `normalize`, `download`, `callback_url`…), checked as the multipart submit checks ' +
        'them before anything is stored. Answers 201 with `Location` and `Upload-Expires` (UPLOAD_EXPIRY_HOURS). ' +
        'With creation-with-upload the body may carry the first bytes; one that completes the upload answers 201 ' +
        'with the submit JSON. Counted against the submit rate limit.',
      tags: ['jobs'],
      security,
      parameters: [
        tusResumable,
        header('Upload-Length', 'The whole file size in bytes.'),
        header('Upload-Metadata', 'Comma-separated `key base64(value)` pairs.', false),
      ],
      responses: {
        '201': { description: 'Created; `Location` names the upload, `Upload-Offset` tells what the body carried.' },
        ...errorRefs(400, 401, 403, 413, 429, 503),
        '412': tusText('No or an unsupported `Tus-Resumable`.'),
      },
    },
  },
  '/v1/stream/uploads/{upload_id}': {
    parameters: [uploadId],
    head: {
      operationId: 'uploadOffset',
      summary: "A resumable upload's offset",
      description:
        '`Upload-Offset`, `Upload-Length`, `Upload-Metadata` and `Upload-Expires`. Once submitted, the offset ' +
        'equals the length and `Upload-Metadata` carries the `job_id` it became, until the upload expires.',
      tags: ['jobs'],
      security,
      parameters: [tusResumable],
      responses: {
        '200': { description: 'The upload; no body.' },
        ...errorRefs(401, 403),
        '404': tusText('No such upload (never made, terminated, refused or swept).'),
        '410': tusText('The upload expired.'),
      },
    },
    patch: {
      operationId: 'appendUpload',
      summary: 'Append bytes to a resumable upload',
      description:
        '`Upload-Offset` must equal the current offset (else 409) and the body is ' +
        '`application/offset+octet-stream`. The PATCH that brings the last byte submits the file like ' +
        '`POST /v1/stream/transcode` and answers 200 with its JSON; media that is not usable audio answers 400 ' +
        'and the upload is deleted. Repeating that last PATCH (at the full offset, empty body) answers the same job.',
      tags: ['jobs'],
      security,
      parameters: [tusResumable, header('Upload-Offset', 'Where these bytes start.')],
      responses: {
        '200': submitted('The last byte arrived: queued.'),
        '204': { description: 'Stored; `Upload-Offset` is the new offset.' },
        ...errorRefs(400, 401, 403, 408, 413, 503, 507),
        '409': tusText('`Upload-Offset` is not the current offset (or, as JSON, `UPLOAD_FINISHING`).'),
        '404': tusText('No such upload.'),
        '410': tusText('The upload expired.'),
      },
    },
    delete: {
      operationId: 'terminateUpload',
      summary: 'Terminate a resumable upload',
      description: 'Deletes what was received. A job the upload already became is not affected.',
      tags: ['jobs'],
      security,
      parameters: [tusResumable],
      responses: {
        '204': { description: 'Deleted.' },
        ...errorRefs(401, 403),
        '404': tusText('No such upload.'),
      },
    },
  },
};
