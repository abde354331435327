/**
 * What a job handler throws to steer the queue, without knowing it: the
 * queue adapter turns each into its queue library's own signal.
 */

/** Fails the job now, with no retry; the message becomes its failure reason. */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';
}

/** Gives the job back to the queue without using an attempt (the worker is shutting down). */
export class JobHandedBackError extends Error {
  override readonly name = 'JobHandedBackError';

  constructor() {
    super('handed back to the queue');
  }
}
