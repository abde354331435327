import { InvalidInputError, UnavailableError } from '@stream-server/errors';
import type { Logger } from '@stream-server/logger';
import { fetchToFile, LocalWriteError, SOURCE_URL_INVALID, type AllowList } from '@stream-server/outbound';
import type { StoredUpload, SubmitControl, SubmitResult, UploadSubmitter } from './transcode-service';

/** MAX_UPLOAD_BYTES, INGEST_TIMEOUT_SECONDS and INGEST_ALLOW_HOSTS (a subset of Config). */
export interface IngestSettings {
  readonly maxUploadBytes: number;
  readonly ingestTimeoutSeconds: number;
  readonly ingestAllowHosts: AllowList;
}

/** Where the fetched file goes: a fresh uploads/<uuid> the caller tracks (UploadStorage.reserve). */
export interface IngestTarget {
  readonly uploadId: string;
  readonly path: string;
}

/**
 * A submit by URL (`source_url`). The fetch runs here, in the API, before
 * the answer: the file lands in uploads/ like an upload and goes through
 * the same submit (probe, hostile-media rules, commit to the bucket), so
 * a bad URL or a file that is not audio is a 4xx now, and a 200 keeps
 * meaning that the job will end Completed or Failed with a reason. A
 * fetch left to a worker could only fail the job later.
 *
 * Every hop is checked by the outbound guard (public addresses only,
 * unless on INGEST_ALLOW_HOSTS), the body is capped at MAX_UPLOAD_BYTES
 * and the whole fetch at INGEST_TIMEOUT_SECONDS. The signal in `control`
 * (client gone, API stopping) aborts the fetch too; nothing is kept on
 * any failure.
 */
export class UrlIngest {
  constructor(
    private readonly uploads: UploadSubmitter,
    private readonly settings: IngestSettings,
    private readonly logger: Logger,
  ) {}

  async submit(
    sourceUrl: unknown,
    target: IngestTarget,
    fields: Readonly<Record<string, unknown>>,
    requestId: string | undefined,
    control: SubmitControl = {},
  ): Promise<SubmitResult> {
    const url = sourceUrlOf(sourceUrl);
    // Cheap checks first: a request that cannot be honoured fetches nothing.
    await this.uploads.validateFields(fields);
    const started = Date.now();
    const fetched = await fetchToFile(url, target.path, {
      maxBytes: this.settings.maxUploadBytes,
      timeoutMs: this.settings.ingestTimeoutSeconds * 1000,
      allowList: this.settings.ingestAllowHosts,
      ...(control.signal ? { signal: control.signal } : {}),
    }).catch((err: unknown) => {
      throw localFailure(err);
    });
    // The host only: a path or query may carry a signature or token.
    this.logger.info('source fetched', {
      request_id: requestId,
      source_host: new URL(fetched.finalUrl).host,
      bytes: fetched.bytes,
      ms: Date.now() - started,
    });
    const upload: StoredUpload = {
      uploadId: target.uploadId,
      path: target.path,
      size: fetched.bytes,
      originalName: fileNameOf(url),
    };
    return this.uploads.submit(upload, fields, requestId, control);
  }
}

function sourceUrlOf(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidInputError(SOURCE_URL_INVALID, 'Field "source_url" must be a single http(s) URL, as text.');
  }
  return value.trim();
}

/**
 * Our disk failing is not the origin's fault: a full disk is 507 like an
 * upload's (the errno passes to the error middleware), anything else an
 * outage. Other errors (the SOURCE_* codes, an abort) pass unchanged.
 */
function localFailure(err: unknown): unknown {
  if (!(err instanceof LocalWriteError)) return err;
  const code: unknown = typeof err.cause === 'object' && err.cause !== null ? Reflect.get(err.cause, 'code') : null;
  if (code === 'ENOSPC' || code === 'EDQUOT') return err.cause;
  return new UnavailableError(
    'STORAGE_UNAVAILABLE',
    'The fetched file could not be stored: the storage failed. Nothing was queued; try again later.',
  );
}

/** The URL's last path segment ("…/My%20Song.wav?sig=…" → "My Song.wav"), for the default track_id. */
function fileNameOf(url: string): string {
  const last = new URL(url).pathname.split('/').pop() ?? '';
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}
