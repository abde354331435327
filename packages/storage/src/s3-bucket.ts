import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3Target } from '@stream-server/config';

/** How to reach the bucket: the config's S3 target. */
export type S3BucketSettings = Omit<S3Target, 'driver'>;

export interface ObjectInfo {
  readonly size: number;
  readonly etag: string | undefined;
  readonly lastModified: Date | undefined;
}

/** What a read asks of the object: a byte range, and the client's validators. */
export interface ObjectReadRequest {
  readonly range?: string | undefined;
  readonly ifNoneMatch?: string | undefined;
  readonly ifModifiedSince?: Date | undefined;
}

/** The answer to a read, in HTTP's terms without HTTP's types. */
export type ObjectRead =
  | {
      readonly outcome: 'whole' | 'partial';
      readonly body: Readable;
      readonly length: number;
      readonly contentRange: string | undefined;
      readonly etag: string | undefined;
      readonly lastModified: Date | undefined;
    }
  | { readonly outcome: 'not-modified'; readonly etag: string | undefined; readonly lastModified: Date | undefined }
  | { readonly outcome: 'unsatisfiable-range' }
  | { readonly outcome: 'missing' };

export interface ObjectEntry {
  readonly key: string;
  readonly lastModified: Date | undefined;
}

/**
 * Parts of this size (S3's minimum), one at a time: the SDK holds a part
 * in memory while it is sent (and copies it while assembling it), so this
 * bounds what an upload of any size costs the API: a 1 GiB upload peaked
 * at 206 MiB RSS with two parts in flight, 173 MiB with one, at the same
 * speed (the bucket, not the part count, bounds it).
 */
const PART_BYTES = 5 * 1024 * 1024;
const PARTS_IN_FLIGHT = 1;
const MAX_PARTS = 10_000;
const CONNECT_TIMEOUT_MS = 5_000;
const SOCKET_IDLE_TIMEOUT_MS = 15_000;
/** One retry: a bucket that hangs costs a caller at most about two idle timeouts. */
const MAX_ATTEMPTS = 2;
const MAX_SOCKETS = 256;
/** DeleteObjects takes at most this many keys a call. */
const DELETE_BATCH = 1000;

/**
 * The one place that speaks S3, over the AWS SDK v3 (one client, keep-alive
 * connections). Keys given here are relative: the configured prefix is
 * added and taken off in this class only.
 */
export class S3Bucket {
  private readonly client: S3Client;

  constructor(private readonly settings: S3BucketSettings) {
    this.client = new S3Client({
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      ...(settings.credentials ? { credentials: settings.credentials } : {}),
      // Checksums only where S3 requires them: MinIO, R2, Garage and older
      // S3-compatible servers do not all take the SDK's newer default ones.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // A bucket that hangs must fail the call, not hold a request or a job
      // for ever: connecting is bounded, and so is silence on a socket (not
      // the whole request: a download to a slow listener may take long).
      // Each streamed read holds a socket while it runs, hence the pool.
      maxAttempts: MAX_ATTEMPTS,
      requestHandler: {
        connectionTimeout: CONNECT_TIMEOUT_MS,
        socketTimeout: SOCKET_IDLE_TIMEOUT_MS,
        httpAgent: { keepAlive: true, maxSockets: MAX_SOCKETS },
        httpsAgent: { keepAlive: true, maxSockets: MAX_SOCKETS },
      },
    });
  }

  /** The full key of a relative one (for a public URL: base + this). */
  fullKey(key: string): string {
    return `${this.settings.prefix}${key}`;
  }

  async checkAccess(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.settings.bucket }));
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.settings.bucket, Key: this.fullKey(key) }),
      );
      return { size: head.ContentLength ?? 0, etag: head.ETag, lastModified: head.LastModified };
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  /** The object's bytes, or null when there is none. For small objects (playlists, JSON). */
  async getBuffer(key: string): Promise<Buffer | null> {
    const read = await this.read(key, {});
    if (read.outcome !== 'whole' && read.outcome !== 'partial') return null;
    const chunks: Buffer[] = [];
    for await (const chunk of read.body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return Buffer.concat(chunks);
  }

  /** A streamed read with the client's range and validators passed on to the server. */
  async read(key: string, request: ObjectReadRequest): Promise<ObjectRead> {
    try {
      const got = await this.client.send(
        new GetObjectCommand({
          Bucket: this.settings.bucket,
          Key: this.fullKey(key),
          Range: request.range,
          IfNoneMatch: request.ifNoneMatch,
          IfModifiedSince: request.ifModifiedSince,
        }),
      );
      const body = got.Body;
      if (!isReadable(body)) throw new Error('the S3 client gave no stream body');
      return {
        outcome: got.$metadata.httpStatusCode === 206 ? 'partial' : 'whole',
        body,
        length: got.ContentLength ?? 0,
        contentRange: got.ContentRange,
        etag: got.ETag,
        lastModified: got.LastModified,
      };
    } catch (err) {
      switch (statusOf(err)) {
        case 304:
          return { outcome: 'not-modified', etag: request.ifNoneMatch, lastModified: undefined };
        case 404:
          return { outcome: 'missing' };
        case 416:
          return { outcome: 'unsatisfiable-range' };
        default:
          throw err;
      }
    }
  }

  /** Writes the object into `file` (whole or not at all); false when there is no such object. */
  async download(key: string, file: string): Promise<boolean> {
    const read = await this.read(key, {});
    if (read.outcome !== 'whole') return false;
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.part`;
    try {
      await pipeline(read.body, createWriteStream(temp));
      await rename(temp, file);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    return true;
  }

  /** A local file as one object: multipart past one part, so any size streams in bounded memory. */
  async putFile(key: string, file: string, headers: ObjectHeaders, signal?: AbortSignal): Promise<void> {
    const { size } = await stat(file);
    // S3 takes at most 10,000 parts: past ~48 GiB the parts grow.
    const partBytes = Math.max(PART_BYTES, Math.ceil(size / MAX_PARTS));
    await this.putStream(key, createReadStream(file, { highWaterMark: 256 * 1024 }), headers, signal, partBytes);
  }

  async putStream(
    key: string,
    body: Readable,
    headers: ObjectHeaders,
    signal?: AbortSignal,
    partBytes = PART_BYTES,
  ): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.settings.bucket, Key: this.fullKey(key), Body: body, ...headers },
      partSize: partBytes,
      queueSize: PARTS_IN_FLIGHT,
      // A failed multipart upload is aborted, so no parts are left billed in the bucket.
      leavePartsOnError: false,
    });
    const abort = () => void upload.abort().catch(() => undefined);
    signal?.addEventListener('abort', abort, { once: true });
    try {
      await upload.done();
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  }

  async putText(key: string, text: string, headers: ObjectHeaders): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.settings.bucket, Key: this.fullKey(key), Body: text, ...headers }),
    );
  }

  /** A server-side copy (no bytes through this process). */
  async copy(fromKey: string, toKey: string): Promise<void> {
    await this.client.send(
      new CopyObjectCommand({
        Bucket: this.settings.bucket,
        Key: this.fullKey(toKey),
        CopySource: `${this.settings.bucket}/${encodeURI(this.fullKey(fromKey))}`,
      }),
    );
  }

  /**
   * Whether any object's key starts with `prefix`: one listing page, whatever
   * the tree's size (no MaxKeys: s3rver fails a small one over nested keys).
   */
  async hasAny(prefix: string): Promise<boolean> {
    const page = await this.client.send(
      new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix: this.fullKey(prefix) }),
    );
    return (page.Contents ?? []).length > 0;
  }

  /** Every object whose key starts with `prefix` (relative keys). */
  async list(prefix: string): Promise<ObjectEntry[]> {
    const entries: ObjectEntry[] = [];
    for await (const page of this.pages(prefix, undefined)) {
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined) continue;
        entries.push({ key: item.Key.slice(this.settings.prefix.length), lastModified: item.LastModified });
      }
    }
    return entries;
  }

  /**
   * The names one level below `prefix` (which ends in `/`): objects and
   * "folders" alike, by S3's delimiter listing (one entry a folder,
   * however many objects it holds).
   */
  async listNames(prefix: string): Promise<string[]> {
    const names = new Set<string>();
    const start = this.fullKey(prefix).length;
    for await (const page of this.pages(prefix, '/')) {
      for (const item of page.Contents ?? []) if (item.Key) names.add(item.Key.slice(start));
      for (const folder of page.CommonPrefixes ?? []) if (folder.Prefix) names.add(folder.Prefix.slice(start, -1));
    }
    return [...names];
  }

  /** The pages of a listing, following continuation tokens. */
  private async *pages(prefix: string, delimiter: string | undefined): AsyncGenerator<ListObjectsV2CommandOutput> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.settings.bucket,
          Prefix: this.fullKey(prefix),
          Delimiter: delimiter,
          ContinuationToken: token,
        }),
      );
      yield page;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  /**
   * The same names, found by listing every object below `prefix`: for
   * small, short-lived trees. Some S3-compatible servers (s3rver) leave a
   * folder out of a delimiter listing when it holds only sub-folders.
   */
  async listNamesDeep(prefix: string): Promise<string[]> {
    const names = new Set<string>();
    for (const entry of await this.list(prefix)) {
      const name = entry.key.slice(prefix.length).split('/')[0];
      if (name) names.add(name);
    }
    return [...names];
  }

  async deleteKeys(keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += DELETE_BATCH) {
      const batch = keys.slice(start, start + DELETE_BATCH);
      const result = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.settings.bucket,
          Delete: { Objects: batch.map((key) => ({ Key: this.fullKey(key) })), Quiet: true },
        }),
      );
      const failed = result.Errors?.[0];
      if (failed) throw new Error(`S3 could not delete ${failed.Key ?? '?'}: ${failed.Message ?? failed.Code ?? ''}`);
    }
  }

  /** Deletes `key` itself and everything below `key/`. */
  async deleteTree(key: string): Promise<void> {
    const below = await this.list(`${key}/`);
    await this.deleteKeys([key, ...below.map((entry) => entry.key)]);
  }

  close(): void {
    this.client.destroy();
  }
}

/** Headers stored with an object, served by the bucket itself to a CDN or a 302'd client. */
export interface ObjectHeaders {
  readonly ContentType?: string;
  readonly CacheControl?: string;
}

function statusOf(err: unknown): number | undefined {
  if (err instanceof S3ServiceException) return err.$metadata.httpStatusCode;
  return undefined;
}

function isReadable(value: unknown): value is Readable {
  return typeof value === 'object' && value !== null && 'pipe' in value && typeof value.pipe === 'function';
}
