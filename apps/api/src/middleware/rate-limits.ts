import { loadScript, type RedisClient } from '@stream-server/queue';
import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { RedisStore } from 'rate-limit-redis';

export interface RateLimitSettings {
  readonly submitsPerMinute: number;
  readonly readsPerMinute: number;
  /** Playlists and segments: a budget of their own (0, the default: none). */
  readonly playbackPerMinute: number;
  /** Key prefix in Redis, shared by every API instance of a deployment. */
  readonly prefix: string;
  /** With auth on, budgets are per credential; without, per client IP. */
  readonly perCredential: boolean;
}

export interface RateLimiters {
  readonly submit: RequestHandler;
  readonly read: RequestHandler;
  readonly playback: RequestHandler;
}

type RedisReply = boolean | number | string | Array<boolean | number | string>;

const passThrough: RequestHandler = (_req, _res, next) => next();

/**
 * Per-minute budgets for submits, reads and playback, counted in Redis so that
 * several API instances share one budget. If Redis cannot count (outage),
 * requests pass: the routes then answer 503 on their own.
 */
export function createRateLimiters(redis: RedisClient, settings: RateLimitSettings): RateLimiters {
  const make = (name: string, limit: number): RequestHandler =>
    limit <= 0
      ? passThrough
      : rateLimit({
          windowMs: 60_000,
          limit,
          standardHeaders: 'draft-7',
          legacyHeaders: false,
          passOnStoreError: true,
          keyGenerator: (req) => clientKey(req, settings.perCredential),
          store: new RedisStore({
            prefix: `${settings.prefix}:rl:${name}:`,
            // The cluster form names the key of each command; ioredis routes
            // by it anyway, but SCRIPT LOAD must reach every master.
            sendCommandCluster: async ({ command: [name = '', ...args] }) =>
              name.toUpperCase() === 'SCRIPT' && args[0]?.toUpperCase() === 'LOAD' && args[1] !== undefined
                ? loadScript(redis, args[1])
                : toReply(await redis.call(name, ...args)),
          }),
          handler: (req, res) => {
            const reset = resetTimeOf(req);
            const seconds = reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : 60;
            res.setHeader('Retry-After', String(seconds));
            res.status(429).json({
              error: `Too many ${name === 'submit' ? 'submissions' : 'requests'}: at most ${limit} a minute. Retry in ${seconds} s.`,
              code: 'RATE_LIMITED',
            });
          },
        });
  return {
    submit: make('submit', settings.submitsPerMinute),
    read: make('read', settings.readsPerMinute),
    playback: make('playback', settings.playbackPerMinute),
  };
}

/**
 * Whose budget a request spends: a hash of its bearer credential when auth
 * is on (never the credential itself), else its IP (IPv6 by /56, as a
 * client usually owns a whole prefix). Without auth a header would be
 * free to forge, so it is ignored.
 */
function clientKey(req: Request, perCredential: boolean): string {
  const header = req.get('authorization');
  if (perCredential && header && /^Bearer\s+\S+/i.test(header)) {
    return `key:${createHash('sha256')
      .update(header.replace(/^Bearer\s+/i, ''))
      .digest('hex')
      .slice(0, 32)}`;
  }
  return `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
}

/** express-rate-limit's `req.rateLimit.resetTime`, read without trusting its typing. */
function resetTimeOf(req: Request): Date | undefined {
  const info: unknown = Reflect.get(req, 'rateLimit');
  const reset: unknown = typeof info === 'object' && info !== null ? Reflect.get(info, 'resetTime') : undefined;
  return reset instanceof Date ? reset : undefined;
}

function toReply(value: unknown): RedisReply {
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    return value.map((item: unknown) => (typeof item === 'number' || typeof item === 'boolean' ? item : String(item)));
  }
  if (value === null || value === undefined) return '';
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a last resort for a reply of no known shape.
  return String(value);
}
