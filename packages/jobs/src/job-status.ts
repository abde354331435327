/** The seed's status strings; `Failed(<reason>)` carries its reason. */
export type JobStatus = 'Pending' | 'Processing' | 'Completed' | 'Cancelled' | `Failed(${string})`;

/** BullMQ's job states (what `Job#getState` answers). */
const QUEUE_STATES = [
  'waiting',
  'waiting-children',
  'prioritized',
  'delayed',
  'active',
  'completed',
  'failed',
  'unknown',
] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/** Narrows a state string read from Redis; anything else is 'unknown' to callers. */
export function isQueueState(value: string): value is QueueState {
  return (QUEUE_STATES as readonly string[]).includes(value);
}

/**
 * Maps a BullMQ state to the seed's status. A job waiting for a retry
 * (delayed after a failed attempt) is still Pending: it will run again.
 */
export function toJobStatus(state: QueueState, failedReason: string | null, cancelled: boolean): JobStatus {
  if (cancelled) return 'Cancelled';
  switch (state) {
    case 'active':
      return 'Processing';
    case 'completed':
      return 'Completed';
    case 'failed':
      return `Failed(${failedReason ?? 'unknown error'})`;
    default:
      return 'Pending';
  }
}

export function isTerminal(status: JobStatus): boolean {
  return status === 'Completed' || status === 'Cancelled' || status.startsWith('Failed(');
}
