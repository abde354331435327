import type { Priority } from '@stream-server/profiles';

/** BullMQ priorities: lower runs first; every job gets one so FIFO holds within a level. */
export const PRIORITY_VALUES: Readonly<Record<Priority, number>> = {
  urgent: 1,
  normal: 5,
  background: 10,
};

/**
 * Lock and stall settings of the workers. A worker renews its job lock
 * every lockDuration/2; if it dies, the lock expires and the next stall
 * check (every stalledInterval) moves the job back to wait. So a dead
 * worker's job is picked up again within lockDuration + stalledInterval:
 * with the default 15 s lock, ≤ 25 s. Shorter locks notice deaths sooner
 * but cost more Redis calls and risk false stalls on an overloaded worker;
 * BullMQ's own defaults (30 s + 30 s) would miss the 30 s goal.
 * A job that stalls more than maxStalledCount times (a crash loop) fails.
 */
export function workerLockSettings(lockSeconds: number) {
  const lockDuration = lockSeconds * 1000;
  return {
    lockDuration,
    stalledInterval: Math.max(1000, Math.round((lockDuration * 2) / 3)),
    maxStalledCount: 5,
  } as const;
}
