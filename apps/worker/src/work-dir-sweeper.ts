import path from 'node:path';
import { isJobId, type MediaStorage } from '@stream-server/storage';

/**
 * Removes work dirs (tmp/<job>.<attempt>.<random>) of attempts that can no
 * longer finish: their worker crashed. A dir whose job is running right now
 * may belong to a live worker elsewhere and is left alone; if that worker
 * is dead too, whichever worker takes the job over clears it.
 * The same goes for live/<job>/ dirs. Returns how many dirs were removed.
 */
export async function sweepWorkDirs(
  storage: Pick<MediaStorage, 'layout' | 'listNames' | 'remove'>,
  isJobRunning: (jobId: string) => Promise<boolean>,
): Promise<number> {
  const entries = await storage.listNames(storage.layout.tmpDir);
  let removed = 0;
  for (const entry of entries) {
    const jobId = workDirJobId(entry);
    if (jobId === null || (await isJobRunning(jobId))) continue;
    await storage.remove(path.join(storage.layout.tmpDir, entry));
    removed += 1;
  }
  // Live copies of jobs that are not running (their worker crashed after
  // the job ended, or before it could clear them) are served by nobody.
  for (const entry of await storage.listNames(storage.layout.liveDir)) {
    if (!isJobId(entry) || (await isJobRunning(entry))) continue;
    await storage.remove(path.join(storage.layout.liveDir, entry));
    removed += 1;
  }
  return removed;
}

/** The job id of a work dir's name, or null for anything else. Pure. */
function workDirJobId(name: string): string | null {
  const first = name.split('.')[0] ?? '';
  return isJobId(first) && name.length > first.length ? first : null;
}
