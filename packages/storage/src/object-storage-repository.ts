import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { MediaStorage, PublishOutcome, RemoteMedia, StorageHealth } from './media-storage';
import { hlsContentType, isJobId } from './names';
import type { ObjectHeaders, ObjectRead, ObjectReadRequest, S3Bucket } from './s3-bucket';
import { MANIFEST_NAME, type StorageLayout } from './storage-layout';
import { StorageRepository } from './storage-repository';

/** Objects put at once while publishing or staging a tree. */
const PUTS_IN_FLIGHT = 8;
const SOURCE_NAME = 'source';

/**
 * The `s3` driver. The files every process must see (uploads/, hls/,
 * live/ and a ladder's staging dir tmp/<job>.parts/) are objects in the
 * bucket under the same relative names; work dirs stay on this process's
 * private STORAGE_DIR (scratch), where ffmpeg writes. No process needs
 * another's disk: a worker fetches the source into its work dir, and
 * publishes by putting every file of its work dir, the root playlist last,
 * so a reader that finds `hls/<job>/index.m3u8` finds the whole output.
 */
export class ObjectStorageRepository implements MediaStorage {
  readonly remote: RemoteMedia;
  private readonly local: StorageRepository;

  constructor(
    readonly layout: StorageLayout,
    private readonly bucket: S3Bucket,
  ) {
    this.local = new StorageRepository(layout);
    this.remote = {
      read: (file: string, request: ObjectReadRequest): Promise<ObjectRead> =>
        this.bucket.read(this.keyOf(file), request),
      readBuffer: (file: string) => this.bucket.getBuffer(this.keyOf(file)),
      objectKey: (file: string) => this.bucket.fullKey(this.keyOf(file)),
    };
  }

  async ensureLayout(): Promise<void> {
    await this.local.ensureLayout();
  }

  /** The bucket answers, and the scratch disk has room. */
  async health(): Promise<StorageHealth> {
    const scratch = await this.local.health();
    if (scratch !== 'ok') return scratch;
    try {
      await this.bucket.checkAccess();
      return 'ok';
    } catch {
      return 'unwritable';
    }
  }

  createWorkDir(jobId: string, attempt: number, part: number | null = null): Promise<string> {
    return this.local.createWorkDir(jobId, attempt, part);
  }

  listWorkDirs(jobId: string, part: number | null = null): Promise<string[]> {
    return this.local.listWorkDirs(jobId, part);
  }

  /**
   * Puts (or, from a ladder's staging dir, copies) every file into
   * hls/<job>/: segments and extras first, rung playlists next, the root
   * `index.m3u8` last. An output already there (an earlier attempt died
   * after publishing) wins, as with the one rename of the fs driver.
   */
  async publish(workDir: string, jobId: string): Promise<PublishOutcome> {
    const target = this.keyOf(this.layout.jobOutputDir(jobId));
    if (await this.isPublished(jobId)) {
      await this.remove(workDir);
      return 'already-published';
    }
    await this.copyTree(workDir, target);
    await this.remove(workDir);
    return 'published';
  }

  async isPublished(jobId: string): Promise<boolean> {
    return (await this.bucket.head(this.keyOf(this.layout.manifestPath(jobId)))) !== null;
  }

  /** Puts one whole file of a running job's work dir under live/<job>/. */
  async linkLive(workFile: string, jobId: string, relative: string): Promise<void> {
    const key = `${this.keyOf(this.layout.jobLiveDir(jobId))}/${relative}`;
    await this.bucket.putFile(key, workFile, headersFor(relative, 'live'));
  }

  async writeLive(jobId: string, relative: string, text: string): Promise<void> {
    const key = `${this.keyOf(this.layout.jobLiveDir(jobId))}/${relative}`;
    await this.bucket.putText(key, text, headersFor(relative, 'live'));
  }

  /** Puts a part's finished rung dir (or extra file) into the job's staging dir in the bucket. */
  async stage(from: string, to: string): Promise<void> {
    const target = this.keyOf(to);
    await this.bucket.deleteTree(target);
    await this.copyTree(from, target);
    await this.remove(from);
  }

  async exists(file: string): Promise<boolean> {
    const key = this.sharedKey(file);
    if (key === null) return this.local.exists(file);
    if ((await this.bucket.head(key)) !== null) return true;
    return this.bucket.hasAny(`${key}/`);
  }

  /** Removes the path from the scratch disk and, when it is a shared one, from the bucket. */
  async remove(target: string): Promise<void> {
    await this.local.remove(target);
    const key = this.sharedKey(target);
    if (key !== null) await this.bucket.deleteTree(key);
  }

  async readText(file: string): Promise<string | null> {
    const key = this.sharedKey(file);
    if (key === null) return this.local.readText(file);
    return (await this.bucket.getBuffer(key))?.toString('utf8') ?? null;
  }

  async writeText(file: string, text: string): Promise<void> {
    const key = this.sharedKey(file);
    if (key === null) return this.local.writeText(file, text);
    await this.bucket.putText(key, text, headersFor(file, 'output'));
  }

  async fileSize(file: string): Promise<number> {
    const key = this.sharedKey(file);
    if (key === null) return this.local.fileSize(file);
    const info = await this.bucket.head(key);
    if (info === null) throw new Error(`no such object: ${key}`);
    return info.size;
  }

  /** A shared file's time in the bucket, else its scratch copy's (an upload the API has not committed). */
  async modifiedMs(file: string): Promise<number | null> {
    const key = this.sharedKey(file);
    if (key === null) return this.local.modifiedMs(file);
    return (await this.bucket.head(key))?.lastModified?.getTime() ?? this.local.modifiedMs(file);
  }

  /** The root playlist is put last: its time is the publish's. */
  async publishedAtMs(jobId: string): Promise<number | null> {
    return this.modifiedMs(this.layout.manifestPath(jobId));
  }

  /**
   * The names in a dir. tmp/ holds both: work dirs on the scratch disk and
   * ladders' staging dirs in the bucket, so it lists the two together; so
   * does uploads/: an API's scratch copy stays behind if it died before
   * committing, and a sweep on its node must see it.
   * uploads/ and hls/ may be large and each entry has an object at its top
   * (an upload; an output's index.m3u8): a delimiter listing. live/ and
   * staging dirs are few and short-lived, and may hold only sub-folders
   * (a ladder's rungs): every object is listed.
   */
  async listNames(dir: string): Promise<string[]> {
    const key = this.sharedKey(dir);
    if (key === 'uploads') {
      const names = [...(await this.local.listNames(dir)), ...(await this.bucket.listNames('uploads/'))];
      return [...new Set(names)];
    }
    if (key === 'hls') return this.bucket.listNames('hls/');
    if (key !== null) return this.bucket.listNamesDeep(`${key}/`);
    const local = await this.local.listNames(dir);
    if (dir !== this.layout.tmpDir) return local;
    const staged = (await this.bucket.listNamesDeep('tmp/')).filter((name) => this.sharedKey(path.join(dir, name)));
    return [...new Set([...local, ...staged])];
  }

  /** Downloads the upload into the attempt's work dir (removed with it). */
  async fetchSource(uploadFile: string, workDir: string): Promise<string | null> {
    const target = path.join(workDir, SOURCE_NAME);
    return (await this.bucket.download(this.keyOf(uploadFile), target)) ? target : null;
  }

  async releaseSource(source: string, uploadFile: string): Promise<void> {
    if (source !== uploadFile) await fs.rm(source, { force: true });
  }

  /** Streams the API's local copy into the bucket (multipart), then deletes the copy. */
  async commitUpload(uploadFile: string, signal?: AbortSignal): Promise<void> {
    await this.bucket.putFile(this.keyOf(uploadFile), uploadFile, {}, signal);
    await this.local.remove(uploadFile);
  }

  close(): void {
    this.bucket.close();
  }

  /**
   * Every file below `from` (a local dir or file, or a shared "dir" in the
   * bucket) to the same names below `toKey`: media first, then rung
   * playlists, the root playlist last.
   */
  private async copyTree(from: string, toKey: string): Promise<void> {
    const fromKey = this.sharedKey(from);
    const files = fromKey === null ? await localFiles(from) : await this.bucketFiles(fromKey);
    const ordered = [...files].sort((a, b) => rank(a) - rank(b));
    for (const batch of inWaves(ordered)) {
      await runLimited(batch, PUTS_IN_FLIGHT, async (relative) => {
        const to = relative === '' ? toKey : `${toKey}/${relative}`;
        if (fromKey !== null) {
          await this.bucket.copy(relative === '' ? fromKey : `${fromKey}/${relative}`, to);
        } else {
          await this.bucket.putFile(to, relative === '' ? from : path.join(from, relative), headersFor(to, 'output'));
        }
      });
    }
  }

  private async bucketFiles(key: string): Promise<string[]> {
    if ((await this.bucket.head(key)) !== null) return [''];
    return (await this.bucket.list(`${key}/`)).map((entry) => entry.key.slice(key.length + 1));
  }

  /** The relative key of a path under STORAGE_DIR (forward slashes). */
  private keyOf(file: string): string {
    const relative = path.relative(this.layout.root, file);
    if (relative.startsWith('..') || path.isAbsolute(relative)) throw new Error(`outside STORAGE_DIR: ${file}`);
    return relative.split(path.sep).join('/');
  }

  /** The bucket key of a shared path, or null for a path that stays on the scratch disk. */
  private sharedKey(file: string): string | null {
    const key = this.keyOf(file);
    const [top, second] = key.split('/');
    if (top === 'uploads' || top === 'hls' || top === 'live') return key;
    if (top === 'tmp' && second !== undefined && /\.parts$/.test(second) && isJobId(second.slice(0, -6))) return key;
    return null;
  }
}

/** Publishing order: media and extras (0), rung playlists (1), root live playlist (2), root index (3). */
function rank(relative: string): number {
  if (!relative.endsWith('.m3u8')) return 0;
  if (relative.includes('/')) return 1;
  return relative === MANIFEST_NAME ? 3 : 2;
}

/** Groups an ordered list by rank, so a later rank starts only once the earlier one is all in. */
function inWaves(ordered: readonly string[]): string[][] {
  const waves: string[][] = [];
  let current = -1;
  for (const item of ordered) {
    if (rank(item) !== current) {
      waves.push([]);
      current = rank(item);
    }
    waves[waves.length - 1]?.push(item);
  }
  return waves;
}

async function runLimited<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await run(item);
    }
  });
  await Promise.all(lanes);
}

/** Relative names of every file below `from` ('' when `from` is a file). */
async function localFiles(from: string): Promise<string[]> {
  const info = await fs.stat(from);
  if (!info.isDirectory()) return [''];
  const entries = await fs.readdir(from, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(from, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

/** Stored with each object, for a CDN or a client sent to the bucket by a 302. */
function headersFor(name: string, where: 'live' | 'output'): ObjectHeaders {
  const type =
    hlsContentType(name) ??
    (name.endsWith('.json') ? 'application/json' : name.endsWith('.m4a') ? 'audio/mp4' : undefined);
  const cache = name.endsWith('.m3u8')
    ? where === 'live'
      ? 'no-cache'
      : 'public, max-age=60'
    : 'public, max-age=31536000, immutable';
  return { ...(type ? { ContentType: type } : {}), CacheControl: cache };
}
