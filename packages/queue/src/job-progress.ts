/**
 * What a transcode job's BullMQ progress holds: a percentage, or once the
 * job is playable (its live playlist lists a whole segment of every rung)
 * `{ percent, playable: true }`. BullMQ stores and broadcasts either form
 * as it is (its progress is a number or an object), so the flag reaches
 * job reads and progress events with no key of our own. A plain number
 * stays the form until then, as workers before the flag wrote it.
 */
export interface JobProgress {
  readonly percent: number;
  readonly playable: boolean;
}

/** The value to hand to BullMQ's updateProgress. Pure. */
export function progressValue(progress: JobProgress): number | { percent: number; playable: true } {
  return progress.playable ? { percent: progress.percent, playable: true } : progress.percent;
}

/** Reads either form back; anything else is no progress. Pure. */
export function readProgress(value: unknown): JobProgress {
  if (typeof value === 'number') return { percent: Number.isFinite(value) ? value : 0, playable: false };
  if (typeof value === 'object' && value !== null) {
    const percent: unknown = Reflect.get(value, 'percent');
    return {
      percent: typeof percent === 'number' && Number.isFinite(percent) ? percent : 0,
      playable: Reflect.get(value, 'playable') === true,
    };
  }
  return { percent: 0, playable: false };
}

/** Name of the custom queue event a worker publishes when a job becomes playable. */
export const PLAYABLE_EVENT = 'playable';
