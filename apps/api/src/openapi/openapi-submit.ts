import type { MediaType } from './openapi-types';

/** Where the audio comes from instead of a file part: fetched by the API before it answers. */
export const SOURCE_URL_FIELD = {
  type: 'string',
  format: 'uri',
  maxLength: 2048,
  description:
    'http(s) URL of the audio, instead of `file` (not both: 400 `FILE_AND_SOURCE_URL`). The API fetches it before answering ' +
    '(at most MAX_UPLOAD_BYTES, INGEST_TIMEOUT_SECONDS; redirects re-checked), then probes it like an upload. Hosts on ' +
    'loopback or private addresses: 400 `SOURCE_URL_FORBIDDEN` unless on INGEST_ALLOW_HOSTS.',
} as const;

/**
 * The submit as a JSON body: the form's fields but `file`, `source_url`
 * required; numbers and booleans may be JSON ones (read like their text).
 */
export function jsonSubmitOf(form: MediaType): MediaType {
  const fields = Object.entries(form.schema.properties ?? {}).filter(([name]) => name !== 'file');
  return {
    schema: {
      type: 'object',
      required: ['source_url'],
      properties: {
        ...Object.fromEntries(fields),
        source_url: SOURCE_URL_FIELD,
        bitrate: { type: ['string', 'integer'], pattern: '^[0-9]+$', minimum: 1, description: 'Bits per second.' },
        abr: { type: ['string', 'boolean'], description: 'As in the form.' },
        normalize: { type: ['string', 'boolean'], description: 'As in the form.' },
        download: { type: ['string', 'boolean'], description: 'As in the form.' },
      },
    },
  };
}
