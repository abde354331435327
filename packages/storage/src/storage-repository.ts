import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { StorageLayout } from './storage-layout';

export type PublishOutcome = 'published' | 'already-published';

/** What /health reports of the storage: writable with room, nearly full, or not writable. */
export type StorageHealth = 'ok' | 'full' | 'unwritable';

/** "Full": less free space than this, or than 1 % of the volume when that is smaller. */
const FULL_BELOW_BYTES = 16 * 1024 * 1024;

/**
 * Every filesystem side effect of the service, behind one small class, so
 * services stay testable and the layout rules live in one place.
 */
export class StorageRepository {
  constructor(readonly layout: StorageLayout) {}

  async ensureLayout(): Promise<void> {
    await Promise.all(
      [this.layout.uploadsDir, this.layout.tmpDir, this.layout.hlsDir, this.layout.liveDir].map((dir) =>
        fs.mkdir(dir, { recursive: true }),
      ),
    );
  }

  /** A fresh private work dir for one attempt of one job. */
  async createWorkDir(jobId: string, attempt: number): Promise<string> {
    return fs.mkdtemp(`${this.layout.tmpPrefix(jobId)}${attempt}.`);
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

  /** Temp dirs of earlier attempts of `jobId` (left by a crashed worker). */
  async listWorkDirs(jobId: string): Promise<string[]> {
    const prefix = path.basename(this.layout.tmpPrefix(jobId));
    const entries = await fs.readdir(this.layout.tmpDir).catch(() => [] as string[]);
    return entries.filter((name) => name.startsWith(prefix)).map((name) => path.join(this.layout.tmpDir, name));
  }
}

function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === code;
}
