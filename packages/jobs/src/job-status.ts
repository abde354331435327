/** The seed's status strings; `Failed(<reason>)` carries its reason. */
export type JobStatus = 'Pending' | 'Processing' | 'Completed' | 'Cancelled' | `Failed(${string})`;

/** BullMQ's job states (what `Job#getState` answers). */
export type QueueState =
  | 'waiting'
  | 'waiting-children'
  | 'prioritized'
  | 'delayed'
  | 'active'
  | 'completed'
  | 'failed'
  | 'unknown';

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
