import type { JobName } from './job-contract';

export interface JobPolicy {
  /** Default attempts; the JOB_ATTEMPTS setting overrides it. */
  readonly attempts: number;
  /** Exponential backoff base, in ms: 5 s, 10 s, 20 s... */
  readonly backoffMs: number;
  /** Timeout of one attempt: a floor (JOB_TIMEOUT_FLOOR_SECONDS) plus a multiple of the media's duration. */
  readonly timeoutPerMediaSecondMs: number;
  /** Longest wait between two attempts (absent: uncapped). */
  readonly maxBackoffMs?: number;
}

/** Per-job-type retry and timeout policy, in one table. */
export const JOB_POLICIES: Readonly<Record<JobName, JobPolicy>> = {
  transcode: {
    attempts: 3,
    backoffMs: 5_000,
    // Encoding runs at tens of times realtime; 2 s of wall per media second
    // is far beyond any healthy run and still ends a hung ffmpeg.
    timeoutPerMediaSecondMs: 2_000,
  },
  ladderPart: {
    // A part is one worker's share of a ladder: retried like a job, and
    // its last failure fails the job (the flow's failParentOnFailure).
    attempts: 3,
    backoffMs: 5_000,
    timeoutPerMediaSecondMs: 2_000,
  },
  webhook: {
    // Not used as is: the attempts are computed so that the retries span
    // WEBHOOK_RETRY_HOURS (webhookAttempts), about 33 for the default 24 h.
    attempts: 1,
    // 10 s, 20 s, 40 s… then at most an hour apart: a receiver that was down
    // for a deploy gets the event within minutes, one down all night by the
    // next hour after it is back.
    backoffMs: 10_000,
    maxBackoffMs: 3_600_000,
    timeoutPerMediaSecondMs: 0,
  },
};

/**
 * Wait before retry number `attemptsMade` (≥ 1: attempts already made):
 * `baseMs`·2^(attemptsMade−1), capped at the policy's maximum. BullMQ calls
 * it as a custom backoff strategy; `baseMs` travels in the job's options,
 * so tests can shorten it per queue without a setting.
 */
export function webhookBackoffMs(attemptsMade: number, baseMs: number = JOB_POLICIES.webhook.backoffMs): number {
  const cap = JOB_POLICIES.webhook.maxBackoffMs ?? Number.POSITIVE_INFINITY;
  const exponent = Math.max(0, attemptsMade - 1);
  // 2^exponent overflows to Infinity long after the cap is reached: min() handles it.
  return Math.min(cap, Math.round(baseMs * 2 ** exponent));
}

/** Attempts (first try included) whose retries together span at least `hours`. */
export function webhookAttempts(hours: number, baseMs: number = JOB_POLICIES.webhook.backoffMs): number {
  const spanMs = hours * 3_600_000;
  let waited = 0;
  let attempts = 1;
  while (waited < spanMs && attempts < 10_000) {
    waited += webhookBackoffMs(attempts, baseMs);
    attempts += 1;
  }
  return attempts;
}

export function attemptTimeoutMs(name: JobName, mediaSeconds: number, floorSeconds: number): number {
  const policy = JOB_POLICIES[name];
  return Math.round(floorSeconds * 1000 + Math.max(0, mediaSeconds) * policy.timeoutPerMediaSecondMs);
}
