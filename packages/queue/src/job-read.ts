import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-connection';
import { isJobData, jsonFields, type TranscodeJobResult } from '@stream-server/jobs';
import type { JobFields } from './job-snapshot-builder';
import { readProgress } from './job-progress';

/** BullMQ's state sets and lists, in the order READ_JOB takes them (KEYS[3..]). */
export const STATE_KEYS = [
  'completed',
  'failed',
  'delayed',
  'prioritized',
  'active',
  'wait',
  'paused',
  'waiting-children',
] as const;

/**
 * Read-only: the job hash, the cancel marker and the job's state, the
 * state found as BullMQ's own getState script finds it (same order of
 * checks), and the purge marker. KEYS: job hash, cancel marker, then
 * STATE_KEYS, then the purge marker; ARGV[1]: job id.
 * Returns { state, cancel record or '', flat hash, purge time or '' }.
 */
export const READ_JOB = `
local id = ARGV[1]
local hash = redis.call('HGETALL', KEYS[1])
local cancel = redis.call('GET', KEYS[2]) or ''
local state = 'unknown'
if #hash > 0 then
  if redis.call('ZSCORE', KEYS[3], id) then state = 'completed'
  elseif redis.call('ZSCORE', KEYS[4], id) then state = 'failed'
  elseif redis.call('ZSCORE', KEYS[5], id) then state = 'delayed'
  elseif redis.call('ZSCORE', KEYS[6], id) then state = 'prioritized'
  elseif redis.call('LPOS', KEYS[7], id) then state = 'active'
  elseif redis.call('LPOS', KEYS[8], id) or redis.call('LPOS', KEYS[9], id) then state = 'waiting'
  elseif redis.call('ZSCORE', KEYS[10], id) then state = 'waiting-children'
  end
end
local purged = redis.call('GET', KEYS[11]) or ''
return { state, cancel, hash, purged }
`;

const READ_JOB_SHA = createHash('sha1').update(READ_JOB).digest('hex');

/** EVALSHA, loading the script on first use (NOSCRIPT) — one round trip once loaded. */
export async function runScript(
  redis: RedisClient,
  script: string,
  keys: readonly string[],
  args: readonly string[],
): Promise<unknown> {
  const sha = script === READ_JOB ? READ_JOB_SHA : createHash('sha1').update(script).digest('hex');
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return redis.eval(script, keys.length, ...keys, ...args);
  }
}

export interface ReadReply {
  readonly state: string;
  readonly cancel: string | null;
  /** null: no such job hash. */
  readonly hash: Readonly<Record<string, string>> | null;
  /** The purge marker's text, or null. */
  readonly purged: string | null;
}

export function parseReadReply(reply: unknown): ReadReply {
  if (!Array.isArray(reply) || reply.length !== 4) throw new Error('unexpected reply of the job read script');
  const parts: unknown[] = reply;
  const [state, cancel, flat, purged] = parts;
  if (typeof state !== 'string' || typeof cancel !== 'string' || !Array.isArray(flat) || typeof purged !== 'string')
    throw new Error('unexpected reply of the job read script');
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const key: unknown = flat[i];
    const value: unknown = flat[i + 1];
    if (typeof key === 'string' && typeof value === 'string') hash[key] = value;
  }
  return {
    state,
    cancel: cancel === '' ? null : cancel,
    hash: flat.length === 0 ? null : hash,
    purged: purged === '' ? null : purged,
  };
}

/**
 * A job's fields from BullMQ's job hash, read as its Job.fromJSON reads
 * them: data/progress/returnvalue are JSON, times are ms, attempts are
 * `attemptsMade` or, in newer versions, `atm`. The payload is checked,
 * not trusted. `job-read.test.ts` holds this to BullMQ's own reading.
 */
export function fieldsFromHash(jobId: string, hash: Readonly<Record<string, string>>): JobFields {
  const data = parseJson(hash['data']);
  if (!isJobData(data)) throw new Error(`job ${jobId} holds no transcode payload`);
  const progress = readProgress(parseJson(hash['progress']));
  const int = (value: string | undefined): number | null => {
    const n = value === undefined ? NaN : Number.parseInt(value, 10);
    return Number.isNaN(n) ? null : n;
  };
  const result = parseJson(hash['returnvalue']);
  return {
    id: hash['id'] ?? jobId,
    data,
    progress: progress.percent,
    playable: progress.playable,
    createdAt: int(hash['timestamp']) ?? 0,
    startedAt: int(hash['processedOn']),
    finishedAt: int(hash['finishedOn']),
    failedReason: hash['failedReason'] ? hash['failedReason'] : null,
    attemptsMade: int(hash['attemptsMade'] || hash['atm']) ?? 0,
    result: isResult(result) ? result : null,
    partsStartedAt: progress.startedAt,
  };
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  const get = jsonFields(`{"v":${text}}`);
  return get ? get('v') : undefined;
}

function isResult(value: unknown): value is TranscodeJobResult {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'segments') === 'number';
}
