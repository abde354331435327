import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { FileStore } from '@tus/file-store' with { 'resolution-mode': 'import' };
import type { Server, Upload } from '@tus/server' with { 'resolution-mode': 'import' };
import { ConflictError, InvalidInputError, TooLargeError } from '@stream-server/errors';
import { describeError, type Logger } from '@stream-server/logger';
import type { StorageLayout } from '@stream-server/storage';
import { toErrorResponse } from '../middleware/error-handler';
import { withBufferedWrites } from './buffered-file-store';
import type { UploadSubmitter } from '../services/transcode-service';

export const RESUMABLE_UPLOADS_PATH = '/v1/stream/uploads';

/** @tus/server, @tus/file-store and @tus/utils, as loadTus gives them. */
export type TusModules = Awaited<ReturnType<typeof loadTus>>;

/**
 * Loads tus (ESM-only, hence import()). Start-up calls it before it opens
 * any Redis connection: loading (and, under jest, transforming) the
 * modules can hold the event loop for seconds, which must not run down
 * the timeouts of commands already sent.
 */
export function loadTus() {
  return Promise.all([import('@tus/server'), import('@tus/file-store'), import('@tus/utils')]);
}

export interface ResumableUploadsOptions {
  readonly layout: StorageLayout;
  readonly submitter: UploadSubmitter;
  readonly maxUploadBytes: number;
  /** UPLOAD_EXPIRY_HOURS: an unfinished upload is swept this long after its creation. */
  readonly expirySeconds: number;
  readonly allowedOrigins: readonly string[];
  readonly logger: Logger;
}

/** What the Express side knows of a request that the tus hooks need. */
export interface UploadRequestContext {
  readonly requestId: string | undefined;
  /** The finished upload's job is being queued: a stopping API lets it get its answer. */
  readonly onQueueing: () => void;
}

/**
 * Set by the server once the upload became a job. Clients cannot send it:
 * onUploadCreate drops it, so it only ever names a job this upload made.
 */
const JOB_ID_KEY = 'job_id';
const JSON_HEADERS = { 'Content-Type': 'application/json; charset=utf-8' };
const SWEEP_MIN_MS = 1_000;
const SWEEP_MAX_MS = 15 * 60_000;

type HookAnswer = { status_code: number; body: string; headers: Record<string, string> };

/**
 * tus 1.0 resumable uploads (core, creation, creation-with-upload,
 * termination, expiration) with @tus/server and a FileStore under
 * STORAGE_DIR/tus. Once the last byte is in, the file is renamed into
 * uploads/ and submitted exactly like a multipart upload; the final PATCH
 * answers with the submit's JSON. An unfinished upload expires
 * UPLOAD_EXPIRY_HOURS after its creation and is swept by this process.
 */
export class ResumableUploads {
  private readonly contexts = new WeakMap<object, UploadRequestContext>();
  /** Finishes running in this process, so a retried final PATCH waits for the same answer. */
  private readonly finishing = new Map<string, Promise<HookAnswer>>();
  private sweeper: NodeJS.Timeout | undefined;
  private readonly server: Server;

  private constructor(
    private readonly options: ResumableUploadsOptions,
    private readonly store: FileStore,
    private readonly parseMetadata: (header: string) => Record<string, string | null>,
    serverFor: (uploads: ResumableUploads) => Server,
  ) {
    this.server = serverFor(this);
  }

  /** Builds on the loaded tus modules (see loadTus) and prepares the store's directory. */
  static async create(options: ResumableUploadsOptions, tus: TusModules): Promise<ResumableUploads> {
    const [{ Server, Metadata }, { FileStore }, { ERRORS }] = tus;
    await mkdir(options.layout.tusDir, { recursive: true });
    const BufferedFileStore = withBufferedWrites(FileStore, ERRORS.FILE_WRITE_ERROR);
    const store = new BufferedFileStore({
      directory: options.layout.tusDir,
      expirationPeriodInMilliseconds: options.expirySeconds * 1000,
    });
    // A length known up front is what lets MAX_UPLOAD_BYTES be checked
    // before a byte is stored, so deferred lengths are not offered.
    store.extensions = store.extensions.filter((extension) => extension !== 'creation-defer-length');
    const anyOrigin = options.allowedOrigins.includes('*');
    const serverFor = (uploads: ResumableUploads) =>
      new Server({
        path: RESUMABLE_UPLOADS_PATH,
        datastore: store,
        maxSize: options.maxUploadBytes,
        // A relative Location needs no trust in X-Forwarded-* headers and is
        // right behind any proxy; tus clients resolve it against the endpoint.
        relativeLocation: true,
        namingFunction: () => randomUUID(),
        allowedOrigins: (origin) => anyOrigin || options.allowedOrigins.includes(origin),
        allowedHeaders: ['Authorization', 'X-Request-Id'],
        exposedHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit', 'RateLimit-Policy', 'WWW-Authenticate'],
        onUploadCreate: async (_req, upload) => ({
          metadata: Object.fromEntries(Object.entries(upload.metadata ?? {}).filter(([key]) => key !== JOB_ID_KEY)),
        }),
        onUploadFinish: (req, upload) =>
          uploads.finish(req.method, upload, uploads.contexts.get(req.runtime?.node?.req ?? {})),
      });
    return new ResumableUploads(options, store, (header) => Metadata.parse(header), serverFor);
  }

  /**
   * The checks of a new upload, before tus stores anything: a known length
   * within MAX_UPLOAD_BYTES, and metadata the submit would accept.
   */
  async checkCreation(headers: IncomingHttpHeaders): Promise<void> {
    const length = headers['upload-length'];
    if (typeof length !== 'string' || !/^[0-9]{1,16}$/.test(length)) {
      throw new InvalidInputError(
        'INVALID_UPLOAD_LENGTH',
        'Send the file size in bytes in Upload-Length (deferred lengths are not supported).',
      );
    }
    const size = Number(length);
    if (size > this.options.maxUploadBytes) {
      throw new TooLargeError(
        'FILE_TOO_LARGE',
        `The upload is larger than this server accepts (${this.options.maxUploadBytes} bytes).`,
      );
    }
    if (size === 0) throw new InvalidInputError('EMPTY_FILE', 'The uploaded file is empty.');
    const header = headers['upload-metadata'];
    let metadata: Record<string, string | null> = {};
    try {
      if (typeof header === 'string' && header.trim() !== '') metadata = this.parseMetadata(header);
    } catch {
      throw new InvalidInputError(
        'INVALID_METADATA',
        'Upload-Metadata must be comma-separated "key base64(value)" pairs, each key once.',
      );
    }
    await this.options.submitter.validateFields(fieldsOf(metadata));
  }

  /** Hands a request to tus; `context` reaches the hooks it runs. */
  handle(req: IncomingMessage, res: ServerResponse, context: UploadRequestContext): Promise<void> {
    this.contexts.set(req, context);
    return this.server.handle(req, res);
  }

  /** Sweeps expired unfinished uploads every quarter of the expiry (1 s to 15 min). */
  startSweeping(): void {
    const every = Math.min(SWEEP_MAX_MS, Math.max(SWEEP_MIN_MS, (this.options.expirySeconds * 1000) / 4));
    this.sweeper = setInterval(() => void this.sweepExpired(), every);
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** Deletes uploads (data and info) past their expiry; the count removed. */
  async sweepExpired(): Promise<number> {
    try {
      const removed = await this.server.cleanUpExpiredUploads();
      if (removed > 0) this.options.logger.info('expired resumable uploads removed', { count: removed });
      return removed;
    } catch (err) {
      this.options.logger.warn('sweeping expired resumable uploads failed', describeError(err));
      return 0;
    }
  }

  private finish(method: string, upload: Upload, context: UploadRequestContext | undefined): Promise<HookAnswer> {
    const created = method === 'POST';
    const jobId = upload.metadata?.[JOB_ID_KEY];
    // The final PATCH again (its answer was lost): the job it made, not a second one.
    if (typeof jobId === 'string') return Promise.resolve(accepted(jobId, created));
    const running = this.finishing.get(upload.id);
    if (running) return running;
    const finishing = this.submit(upload, context, created).finally(() => this.finishing.delete(upload.id));
    this.finishing.set(upload.id, finishing);
    return finishing;
  }

  private async submit(upload: Upload, context: UploadRequestContext | undefined, created: boolean) {
    const source = path.join(this.options.layout.tusDir, upload.id);
    const uploadId = randomUUID();
    const target = this.options.layout.uploadPath(uploadId);
    try {
      // Same filesystem: a rename, however large the file.
      await rename(source, target);
    } catch (err) {
      return this.refused(await this.lostRace(upload.id, err), context);
    }
    const metadata = upload.metadata ?? {};
    try {
      const { jobId } = await this.options.submitter.submit(
        { uploadId, path: target, size: upload.size ?? 0, originalName: metadata['filename'] ?? '' },
        fieldsOf(metadata),
        context?.requestId,
        { onQueueing: context?.onQueueing },
      );
      await this.markSubmitted(upload.id, source, upload.size ?? 0, jobId);
      return accepted(jobId, created);
    } catch (err) {
      // submit() deleted the file it was given; the upload's info goes too.
      await this.store.configstore.delete(upload.id).catch(() => undefined);
      return this.refused(err, context);
    }
  }

  /**
   * The upload stays visible as complete (HEAD: Upload-Offset equal to its
   * length, Upload-Metadata with job_id) until it expires, so a client
   * whose answer was lost learns its job: the data itself moved to
   * uploads/, and what stays is a sparse placeholder of the same length.
   */
  private async markSubmitted(id: string, source: string, size: number, jobId: string): Promise<void> {
    try {
      const info = await this.store.configstore.get(id);
      if (!info) return;
      const placeholder = await open(source, 'wx');
      await placeholder.truncate(size).finally(() => placeholder.close());
      info.metadata = { ...info.metadata, [JOB_ID_KEY]: jobId };
      await this.store.configstore.set(id, info);
    } catch (err) {
      // The job stands either way; only the record of it is missing.
      this.options.logger.warn('recording a finished resumable upload failed', {
        job_id: jobId,
        ...describeError(err),
      });
      await rm(source, { force: true }).catch(() => undefined);
      await this.store.configstore.delete(id).catch(() => undefined);
    }
  }

  /** The upload's file was gone: another request (maybe on another instance) is submitting it. */
  private async lostRace(id: string, err: unknown): Promise<unknown> {
    const info = await this.store.configstore.get(id).catch(() => undefined);
    const jobId = info?.metadata?.[JOB_ID_KEY];
    if (typeof jobId === 'string') return new SubmittedElsewhere(jobId);
    if (typeof err === 'object' && err !== null && Reflect.get(err, 'code') === 'ENOENT') {
      return new ConflictError(
        'UPLOAD_FINISHING',
        'This upload is being submitted by another request; HEAD it in a moment: its Upload-Metadata will carry job_id.',
      );
    }
    return err;
  }

  private refused(err: unknown, context: UploadRequestContext | undefined): HookAnswer {
    if (err instanceof SubmittedElsewhere) return accepted(err.jobId, false);
    const { status, body } = toErrorResponse(err);
    const meta = { request_id: context?.requestId, status, code: body.code };
    if (status >= 500) this.options.logger.error('resumable upload submit failed', { ...meta, ...describeError(err) });
    else this.options.logger.debug('resumable upload refused', meta);
    return { status_code: status, body: JSON.stringify(body), headers: JSON_HEADERS };
  }
}

class SubmittedElsewhere {
  constructor(readonly jobId: string) {}
}

/** The submit's JSON; 201 when the upload was created and finished in one POST (tus clients expect it). */
function accepted(jobId: string, created: boolean): HookAnswer {
  return {
    status_code: created ? 201 : 200,
    body: JSON.stringify({ job_id: jobId, status: 'queued', message: 'Job submitted successfully' }),
    headers: JSON_HEADERS,
  };
}

/** Upload-Metadata as the submit's fields; a key sent without a value counts as empty. */
function fieldsOf(metadata: Readonly<Record<string, string | null | undefined>>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (key !== JOB_ID_KEY) fields[key] = value ?? '';
  }
  return fields;
}
