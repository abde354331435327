import { ErrorBodySchema, JobSchema, ProgressEventSchema, SubmitResponseSchema } from '@stream-server/contract';
import { StreamApiError } from './errors';
import type { ErrorBody, Job, JobList, QueueStats, SubmitResponse } from './types';

/**
 * Shallow checks of what the server sent, so a wrong URL (another service,
 * a proxy's HTML page) fails with a clear message instead of `undefined`
 * surfacing later. Each checks a few fields with the contract's schemas
 * and lets any others through (`loose`): an older server lacks later
 * fields, a newer one may add some. The full shapes are checked by the
 * server's own tests against its OpenAPI document.
 */

const jobCheck = JobSchema.pick({ id: true, status: true, progress: true, created_at: true }).loose();
const submitCheck = SubmitResponseSchema.pick({ job_id: true, status: true }).loose();
const errorCheck = ErrorBodySchema.loose();
const progressCheck = ProgressEventSchema.pick({ progress: true }).loose();

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isJob(value: unknown): value is Job {
  return jobCheck.safeParse(value).success;
}

export function isSubmitResponse(value: unknown): value is SubmitResponse {
  return submitCheck.safeParse(value).success;
}

export function isQueueStats(value: unknown): value is QueueStats {
  return isRecord(value) && isRecord(value['counts']) && Array.isArray(value['workers']);
}

export function isJobList(value: unknown): value is JobList {
  return isRecord(value) && Array.isArray(value['jobs']) && value['jobs'].every(isJob);
}

function isErrorBody(value: unknown): value is ErrorBody {
  return errorCheck.safeParse(value).success;
}

/** `{job_id, progress}` of an SSE `progress` event. */
export function progressOf(value: unknown): number | null {
  const parsed = progressCheck.safeParse(value);
  return parsed.success ? parsed.data.progress : null;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The error a non-2xx response stands for: the server's `{error, code}`, or a generic one for foreign bodies. */
export function apiErrorOf(status: number, text: string): StreamApiError {
  const body = parseJson(text);
  if (isErrorBody(body)) return new StreamApiError(status, body.code, body.error);
  const snippet = text.trim().slice(0, 120);
  return new StreamApiError(status, `HTTP_${status}`, snippet ? `HTTP ${status}: ${snippet}` : `HTTP ${status}`);
}

/** Narrows a 2xx body with `check`, or explains what came instead. */
export function expectBody<T>(text: string, check: (value: unknown) => value is T, what: string): T {
  const body = parseJson(text);
  if (check(body)) return body;
  throw new StreamApiError(200, 'UNEXPECTED_RESPONSE', `Expected ${what} from the server, got: ${text.slice(0, 120)}`);
}
