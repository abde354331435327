import { Buffer } from 'node:buffer';
import type { ReadStream } from 'node:fs';
import { DetailedError, Upload, type HttpResponse } from 'tus-js-client';
import { StreamApiError, StreamNetworkError } from './errors';
import { apiErrorOf, expectBody, isSubmitResponse } from './response-checks';
import type { SubmitResponse } from './types';

export const RESUMABLE_UPLOADS_PATH = '/v1/stream/uploads';

/**
 * Waits after a failed request before the next try (which first asks the
 * server, with HEAD, how much it has): a dropped connection, a restarted
 * API or a 5xx. Enough to ride out an API restart behind a load balancer.
 */
const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [0, 500, 1_000, 2_000, 5_000, 10_000];

export interface ResumableUploadOptions {
  /**
   * Bytes per PATCH. Default: the whole rest of the file in one PATCH
   * (fastest; a dropped connection still resumes from what the server
   * stored). Smaller chunks suit proxies that cap request bodies.
   */
  chunkBytes?: number;
  /** Bytes the server has (counting what it had before a resume) and the total. */
  onProgress?: (bytesSent: number, bytesTotal: number) => void;
  /** The upload's URL, once created: keep it to resume with `resumeUrl` after a restart. */
  onUploadUrl?: (url: string) => void;
  signal?: AbortSignal;
  /** An upload created earlier (its URL): asked for its offset and continued from there. */
  resumeUrl?: string;
  /** Waits between retries after a dropped connection or a 5xx; `[]` never retries. */
  retryDelaysMs?: readonly number[];
}

export interface TusRequest {
  readonly endpoint: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * One tus upload with tus-js-client, which reads an `fs.ReadStream` with a
 * path slice by slice from disk (a new read stream per PATCH, from the
 * server's offset), so resuming never needs the file in memory. Resolves
 * with the submit answer of the PATCH that brought the last byte, or, when
 * the server already had every byte (that answer was lost), with the job
 * HEAD names in Upload-Metadata.
 */
export async function runResumableUpload(
  file: string | Uint8Array,
  request: TusRequest,
  options: ResumableUploadOptions,
): Promise<SubmitResponse> {
  const source =
    typeof file === 'string' ? await openFile(file) : Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const { signal } = options;
  signal?.throwIfAborted();
  return new Promise<SubmitResponse>((resolve, reject) => {
    let announced = false;
    const upload = new Upload(source, {
      endpoint: request.endpoint,
      uploadUrl: options.resumeUrl ?? null,
      headers: { ...request.headers },
      metadata: { ...request.metadata },
      ...(options.chunkBytes === undefined ? {} : { chunkSize: options.chunkBytes }),
      retryDelays: [...(options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS)],
      onProgress: (sent, total) => options.onProgress?.(sent, total),
      onUploadUrlAvailable: () => {
        if (announced || upload.url === null) return;
        announced = true;
        options.onUploadUrl?.(new URL(upload.url, request.endpoint).href);
      },
      onError: (err) => {
        signal?.removeEventListener('abort', onAbort);
        reject(toClientError(err, request.endpoint));
      },
      onSuccess: ({ lastResponse }) => {
        signal?.removeEventListener('abort', onAbort);
        try {
          resolve(submitAnswerOf(lastResponse));
        } catch (err) {
          reject(err);
        }
      },
    });
    const onAbort = (): void => {
      // Not terminated: what the server has stays there for a later resume.
      void upload.abort(false).finally(() => reject(signal?.reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    upload.start();
  });
}

/**
 * The path as an `fs.ReadStream`: tus-js-client takes it by its path and
 * size and opens its own ranges. Loaded lazily so a browser bundle of the
 * client needs no `fs`.
 */
async function openFile(path: string): Promise<ReadStream> {
  const { createReadStream } = await import('node:fs');
  // Opened only to be named: the ranges are read through other streams.
  return createReadStream(path, { highWaterMark: 1 });
}

function submitAnswerOf(response: HttpResponse): SubmitResponse {
  const body = response.getBody();
  if (body.trim() !== '') return expectBody(body, isSubmitResponse, 'a submit response');
  // A HEAD of an upload that was already complete: its metadata names the job.
  const jobId = metadataValue(response.getHeader('Upload-Metadata') ?? '', 'job_id');
  if (jobId === undefined) {
    throw new StreamApiError(
      response.getStatus(),
      'UNEXPECTED_RESPONSE',
      'The upload is complete but the server named no job for it.',
    );
  }
  return { job_id: jobId, status: 'queued', message: 'Job submitted successfully' };
}

function metadataValue(header: string, key: string): string | undefined {
  for (const pair of header.split(',')) {
    const [name, value] = pair.trim().split(' ');
    if (name === key) return Buffer.from(value ?? '', 'base64').toString('utf8');
  }
  return undefined;
}

/** tus-js-client's errors as the client's own: the server's `{error, code}` when it answered, else a network error. */
function toClientError(err: Error, endpoint: string): Error {
  const response = err instanceof DetailedError ? err.originalResponse : null;
  if (response !== null) return apiErrorOf(response.getStatus(), response.getBody());
  const cause = err instanceof DetailedError ? (err.causingError ?? err) : err;
  return new StreamNetworkError(`Cannot reach ${new URL(endpoint).origin}: ${cause.message}`, { cause: err });
}
