import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { MediaStorage, PublishOutcome, StorageHealth } from './media-storage';
import type { StorageLayout } from './storage-layout';

/** "Full": less free space than this, or than 1 % of the volume when that is smaller. */
const FULL_BELOW_BYTES = 16 * 1024 * 1024;

/**
 * Every filesystem side effect of the service, behind one small class, so
 * services stay testable and the layout rules live in one place. The `fs`
 * driver: STORAGE_DIR is shared by the API and every worker.
 */
export class StorageRepository implements MediaStorage {
  /** Files are served from the disk: no object store to read them from. */
  readonly remote = null;

  constructor(readonly layout: StorageLayout) {}

  async ensureLayout(): Promise<void> {
    await Promise.all(
      [this.layout.uploadsDir, this.layout.tmpDir, this.layout.hlsDir, this.layout.liveDir].map((dir) =>
        fs.mkdir(dir, { recursive: true }),
      ),
    );
  }

  /** A fresh private work dir for one attempt of one job, or of one part of a ladder job. */
  async createWorkDir(jobId: string, attempt: number, part: number | null = null): Promise<string> {
    return fs.mkdtemp(`${this.layout.tmpPrefix(jobId, part)}${attempt}.`);
  }

  /**
   * Moves a finished work dir into hls/<job>/ with one rename, so readers
   * see either nothing or the whole output. If an earlier attempt already
   * published (it crashed after the rename), that output wins and this
   * one is dropped: exactly one output is ever visible.
   */
  async publish(workDir: string, jobId: string): Promise<PublishOutcome> {
    const target = this.layout.jobOutputDir(jobId);
    try {
      await fs.rename(workDir, target);
      return 'published';
    } catch (err) {
      if (isErrno(err, 'ENOTEMPTY') || isErrno(err, 'EEXIST')) {
        await this.remove(workDir);
        return 'already-published';
      }
      throw err;
    }
  }

  /**
   * Makes one whole file of a running job's work dir readable under
   * live/<job>/ (`relative`: `low/segment_00001.ts`). A hard link: no copy,
   * and the bytes are the ones hls/<job>/ will hold. A name already there
   * (an earlier attempt's) is kept: ffmpeg writes the same bytes again.
   */
  async linkLive(workFile: string, jobId: string, relative: string): Promise<void> {
    const target = path.join(this.layout.jobLiveDir(jobId), relative);
    await fs.mkdir(path.dirname(target), { recursive: true });
    try {
      await fs.link(workFile, target);
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
  }

  /** Replaces a live playlist in one rename, so readers never see half of one. */
  async writeLive(jobId: string, relative: string, text: string): Promise<void> {
    const target = path.join(this.layout.jobLiveDir(jobId), relative);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${process.pid}.tmp`;
    await fs.writeFile(temp, text);
    await fs.rename(temp, target);
  }

  async health(): Promise<StorageHealth> {
    try {
      await fs.access(this.layout.uploadsDir, fsConstants.W_OK);
      const volume = await fs.statfs(this.layout.uploadsDir);
      const free = volume.bavail * volume.bsize;
      return free < Math.min(FULL_BELOW_BYTES, volume.blocks * volume.bsize * 0.01) ? 'full' : 'ok';
    } catch {
      return 'unwritable';
    }
  }

  async isPublished(jobId: string): Promise<boolean> {
    return this.exists(this.layout.manifestPath(jobId));
  }

  async exists(file: string): Promise<boolean> {
    try {
      await fs.access(file);
      return true;
    } catch {
      return false;
    }
  }

  /** rm -rf that never throws for a missing path. */
  async remove(target: string): Promise<void> {
    await fs.rm(target, { recursive: true, force: true });
  }

  /**
   * Work dirs of earlier attempts of `jobId`, or of its part `part` (left by
   * a crashed worker). A job's own attempts start with a digit after the
   * prefix, so its parts' dirs and its staging dir are never among them.
   */
  async listWorkDirs(jobId: string, part: number | null = null): Promise<string[]> {
    const prefix = path.basename(this.layout.tmpPrefix(jobId, part));
    const entries = await fs.readdir(this.layout.tmpDir).catch(() => [] as string[]);
    return entries
      .filter((name) => name.startsWith(prefix) && /^[0-9]/.test(name.slice(prefix.length)))
      .map((name) => path.join(this.layout.tmpDir, name));
  }

  async readText(file: string): Promise<string | null> {
    return fs.readFile(file, 'utf8').catch((err: unknown) => {
      if (isErrno(err, 'ENOENT')) return null;
      throw err;
    });
  }

  /** Replaces `file` in one rename, so readers never see half of it. */
  async writeText(file: string, text: string): Promise<void> {
    const temp = `${file}.${process.pid}.tmp`;
    await fs.writeFile(temp, text);
    await fs.rename(temp, file);
  }

  async fileSize(file: string): Promise<number> {
    return (await fs.stat(file)).size;
  }

  async modifiedMs(file: string): Promise<number | null> {
    return fs.stat(file).then(
      (info) => info.mtimeMs,
      () => null,
    );
  }

  /** The output dir's last change: its last file was written just before the rename. */
  async publishedAtMs(jobId: string): Promise<number | null> {
    return this.modifiedMs(this.layout.jobOutputDir(jobId));
  }

  async listNames(dir: string): Promise<string[]> {
    return fs.readdir(dir).catch(() => [] as string[]);
  }

  /** The upload is on the shared disk already: ffmpeg reads it in place. */
  async fetchSource(uploadFile: string): Promise<string | null> {
    return (await this.exists(uploadFile)) ? uploadFile : null;
  }

  /** Nothing to do: ffmpeg read the upload itself, which its job owns. */
  async releaseSource(): Promise<void> {}

  /** Nothing to do: the upload is where every worker reads it. */
  async commitUpload(): Promise<void> {}

  /**
   * Moves `from` (a finished rung dir or extra file of a part's work dir)
   * to `to` in the job's staging dir with one rename. A `to` left by an
   * earlier attempt of the same part (it crashed while staging) is
   * replaced: only that part ever writes those names.
   */
  async stage(from: string, to: string): Promise<void> {
    await fs.mkdir(path.dirname(to), { recursive: true });
    await this.remove(to);
    await fs.rename(from, to);
  }
}

function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === code;
}
