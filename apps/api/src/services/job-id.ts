import { InvalidInputError } from '@stream-server/errors';
import { isJobId } from '@stream-server/storage';

/** A job id that has been checked (a lower-case UUID): services take only these. */
export type JobId = string & { readonly __brand: 'JobId' };

function isValidJobId(value: string): value is JobId {
  return isJobId(value);
}

/**
 * The one check of a job id taken from a URL: routes call it once per
 * request, after authentication, and hand the result to the services.
 */
export function parseJobId(value: string): JobId {
  if (!isValidJobId(value)) {
    throw new InvalidInputError('INVALID_JOB_ID', 'Job ids are UUIDs, e.g. 550e8400-e29b-41d4-a716-446655440000.');
  }
  return value;
}
