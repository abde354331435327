/**
 * What a transcode job's BullMQ progress holds: a percentage, or once the
 * job is playable (its live playlist lists a whole segment of every rung)
 * `{ percent, playable: true }`. BullMQ stores and broadcasts either form
 * as it is (its progress is a number or an object), so the flag reaches
 * job reads and progress events with no key of our own. A plain number
 * stays the form until then, as workers before the flag wrote it.
 *
 * A ladder job's progress is rolled up from its parts (see
 * LadderPartWorker) and also carries `startedAt`: when its first part
 * started. BullMQ sets a job's `processedOn` only when the job itself
 * runs, which for a ladder is its last step, after every part.
 */
export interface JobProgress {
  readonly percent: number;
  readonly playable: boolean;
  /** ms; set on ladder jobs once a part started, null otherwise. */
  readonly startedAt: number | null;
}

type ProgressValue = number | { percent: number; playable?: true; startedAt?: number };

/** The value to hand to BullMQ's updateProgress. Pure. */
export function progressValue(progress: JobProgress): ProgressValue {
  if (!progress.playable && progress.startedAt === null) return progress.percent;
  return {
    percent: progress.percent,
    ...(progress.playable ? { playable: true as const } : {}),
    ...(progress.startedAt === null ? {} : { startedAt: progress.startedAt }),
  };
}

/** Reads either form back; anything else is no progress. Pure. */
export function readProgress(value: unknown): JobProgress {
  if (typeof value === 'number') {
    return { percent: Number.isFinite(value) ? value : 0, playable: false, startedAt: null };
  }
  if (typeof value === 'object' && value !== null) {
    const percent: unknown = Reflect.get(value, 'percent');
    const startedAt: unknown = Reflect.get(value, 'startedAt');
    return {
      percent: typeof percent === 'number' && Number.isFinite(percent) ? percent : 0,
      playable: Reflect.get(value, 'playable') === true,
      startedAt: typeof startedAt === 'number' && Number.isFinite(startedAt) ? startedAt : null,
    };
  }
  return { percent: 0, playable: false, startedAt: null };
}

/** Name of the custom queue event a worker publishes when a job becomes playable. */
export const PLAYABLE_EVENT = 'playable';
