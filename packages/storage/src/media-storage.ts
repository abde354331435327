import type { ObjectRead, ObjectReadRequest } from './s3-bucket';
import type { StorageLayout } from './storage-layout';

export type PublishOutcome = 'published' | 'already-published';

/** What /health reports of the storage: writable with room, nearly full, or not writable. */
export type StorageHealth = 'ok' | 'full' | 'unwritable';

/**
 * Where published media is read from when it is not on this process's
 * disk (the `s3` driver): the API streams from here, or redirects to the
 * object's public URL.
 */
export interface RemoteMedia {
  read(file: string, request: ObjectReadRequest): Promise<ObjectRead>;
  readBuffer(file: string): Promise<Buffer | null>;
  /** The object's full key (S3_PREFIX included), for `MEDIA_PUBLIC_BASE_URL/<key>`. */
  objectKey(file: string): string;
}

/**
 * Every storage side effect of the service. Callers name files by the
 * layout's paths under STORAGE_DIR; the `fs` driver keeps them there, the
 * `s3` driver keeps the shared ones (uploads/, hls/, live/, a ladder's
 * staging dir) in the bucket under the same relative names and the rest
 * (work dirs) on its private disk.
 */
export interface MediaStorage {
  readonly layout: StorageLayout;
  readonly remote: RemoteMedia | null;
  ensureLayout(): Promise<void>;
  health(): Promise<StorageHealth>;
  createWorkDir(jobId: string, attempt: number, part?: number | null): Promise<string>;
  listWorkDirs(jobId: string, part?: number | null): Promise<string[]>;
  publish(workDir: string, jobId: string): Promise<PublishOutcome>;
  isPublished(jobId: string): Promise<boolean>;
  linkLive(workFile: string, jobId: string, relative: string): Promise<void>;
  writeLive(jobId: string, relative: string, text: string): Promise<void>;
  stage(from: string, to: string): Promise<void>;
  exists(file: string): Promise<boolean>;
  remove(target: string): Promise<void>;
  readText(file: string): Promise<string | null>;
  writeText(file: string, text: string): Promise<void>;
  fileSize(file: string): Promise<number>;
  modifiedMs(file: string): Promise<number | null>;
  /** When the job's output was published (null: it is not). */
  publishedAtMs(jobId: string): Promise<number | null>;
  listNames(dir: string): Promise<string[]>;
  /**
   * A local path ffmpeg can read the upload from (downloaded into
   * `workDir` when the upload is in a bucket), or null when it is gone.
   */
  fetchSource(uploadFile: string, workDir: string): Promise<string | null>;
  /** Done reading what `fetchSource` gave: a downloaded copy is deleted (it must not be published). */
  releaseSource(source: string, uploadFile: string): Promise<void>;
  /** Makes an upload the API just received readable by every worker; the local copy may be gone after. */
  commitUpload(uploadFile: string, signal?: AbortSignal): Promise<void>;
  close?(): void;
}
