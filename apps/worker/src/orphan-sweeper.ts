import { describeError, type Logger } from '@stream-server/logger';
import { isJobId, type MediaStorage } from '@stream-server/storage';
import { sweepWorkDirs } from './work-dir-sweeper';

/** What the sweep asks of the queue. */
export interface OwnedUploads {
  /** Upload ids some job may still read (see TranscodeQueue#uploadsInUse). */
  uploadsInUse(withFinished: boolean): Promise<Set<string>>;
  /** Whether a job is running right now (its work dir and live copy are in use). */
  isRunning(jobId: string): Promise<boolean>;
  /** Records a takedown (the job's playback URLs answer 410) and tells every API instance. */
  markPurged(jobId: string): Promise<unknown>;
}

export interface OrphanSweepSettings {
  /** ORPHAN_GRACE_SECONDS: nothing younger is touched (an upload being probed has no job yet). */
  readonly graceSeconds: number;
  /** KEEP_SOURCE: uploads of finished jobs are kept too. */
  readonly keepSource: boolean;
  /** OUTPUT_RETENTION_DAYS: published outputs older than this are taken down (0: kept). */
  readonly outputRetentionDays: number;
}

export interface SweepCounts {
  readonly uploads: number;
  readonly dirs: number;
  readonly outputs: number;
}

/**
 * Removes what no job owns: uploads left by an API killed mid-upload or
 * mid-probe (no job was ever queued for them), and work dirs and live
 * copies of attempts whose worker died; and, with OUTPUT_RETENTION_DAYS,
 * takes down outputs past their retention. Every worker runs it at start and
 * then every half grace period (at most every 10 minutes); running it on
 * several workers at once is harmless (removing is idempotent).
 */
export class OrphanSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: MediaStorage,
    private readonly jobs: OwnedUploads,
    private readonly settings: OrphanSweepSettings,
    private readonly log: Logger,
  ) {}

  start(): void {
    const everyMs = Math.min(600_000, Math.max(1_000, (this.settings.graceSeconds * 1000) / 2));
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.sweepLogged());
    }, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One sweep, failures logged (Redis or the disk may be away for a while). */
  async sweepLogged(): Promise<void> {
    try {
      const counts = await this.sweep();
      if (counts.uploads + counts.dirs + counts.outputs > 0) log(this.log, counts);
    } catch (err) {
      this.log.warn('orphan sweep failed; trying again later', describeError(err));
    }
  }

  async sweep(now = Date.now()): Promise<SweepCounts> {
    const dirs = await sweepWorkDirs(this.storage, (jobId) => this.jobs.isRunning(jobId));
    const graceMs = this.settings.graceSeconds * 1000;
    const old: string[] = [];
    for (const name of await this.storage.listNames(this.storage.layout.uploadsDir)) {
      if (!isJobId(name)) continue;
      const changed = (await this.storage.modifiedMs(this.storage.layout.uploadPath(name))) ?? now;
      if (now - changed > graceMs) old.push(name);
    }
    const outputs = await this.purgeExpiredOutputs(now);
    if (old.length === 0) return { uploads: 0, dirs, outputs };
    // Read after listing: a job queued meanwhile is seen as owning its upload.
    const owned = await this.jobs.uploadsInUse(this.settings.keepSource);
    let uploads = 0;
    for (const name of old) {
      if (owned.has(name)) continue;
      await this.storage.remove(this.storage.layout.uploadPath(name));
      uploads += 1;
    }
    return { uploads, dirs, outputs };
  }

  /**
   * Takes down outputs published more than OUTPUT_RETENTION_DAYS ago (the
   * dir's last change is its publish): recorded first, as a DELETE of
   * …/output does, so their URLs answer 410, then removed.
   */
  private async purgeExpiredOutputs(now: number): Promise<number> {
    if (this.settings.outputRetentionDays <= 0) return 0;
    const maxAgeMs = this.settings.outputRetentionDays * 86_400_000;
    let purged = 0;
    for (const name of await this.storage.listNames(this.storage.layout.hlsDir)) {
      if (!isJobId(name)) continue;
      const dir = this.storage.layout.jobOutputDir(name);
      const changed = (await this.storage.publishedAtMs(name)) ?? now;
      if (now - changed <= maxAgeMs) continue;
      await this.jobs.markPurged(name);
      await this.storage.remove(dir);
      purged += 1;
    }
    return purged;
  }
}

function log(logger: Logger, counts: SweepCounts): void {
  logger.info('swept', { orphan_uploads: counts.uploads, dead_dirs: counts.dirs, expired_outputs: counts.outputs });
}
