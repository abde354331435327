import path from 'node:path';
import { z } from 'zod';

const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;

const integer = (name: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^[0-9]+$/, `${name} must be a whole number`)
    .transform(Number)
    .pipe(z.number().int().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`))
    .default(fallback);

const boolean = (name: string, fallback: boolean) =>
  z
    .string()
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: `${name} must be true or false` }))
    .transform((value) => value === 'true' || value === '1' || value === 'yes')
    .default(fallback);

const optionalPath = z.string().trim().min(1).optional();

/**
 * Every environment variable the service reads, with its default. This
 * schema is the only place that knows env var names; the README's table
 * mirrors it (a test checks that).
 */
const envSchema = z.object({
  PORT: integer('PORT', 0, 65_535, 8082),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  REDIS_URL: z
    .string()
    .trim()
    .regex(/^rediss?:\/\/\S+$/, 'REDIS_URL must look like redis://host:port')
    .default('redis://127.0.0.1:6379'),
  STORAGE_DIR: z.string().trim().min(1).default('./data'),
  QUEUE_PREFIX: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'QUEUE_PREFIX may hold letters, digits, "_", "." and "-" (1-64)')
    .default('stream'),
  WORKER_CONCURRENCY: integer('WORKER_CONCURRENCY', 1, 64, 1),
  MAX_UPLOAD_BYTES: integer('MAX_UPLOAD_BYTES', 1, Number.MAX_SAFE_INTEGER, 2 * 1024 ** 3),
  ALLOWED_ORIGINS: z.string().default('http://localhost:5176,http://localhost:3000'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  FFMPEG_PATH: optionalPath,
  FFPROBE_PATH: optionalPath,
  HLS_SEGMENT_SECONDS: integer('HLS_SEGMENT_SECONDS', 1, 30, 6),
  JOB_ATTEMPTS: integer('JOB_ATTEMPTS', 1, 20, 3),
  KEEP_SOURCE: boolean('KEEP_SOURCE', false),
  JOB_RETENTION_DAYS: integer('JOB_RETENTION_DAYS', 1, 3650, 30),
  EMBEDDED_REDIS: boolean('EMBEDDED_REDIS', true),
  SHUTDOWN_GRACE_SECONDS: integer('SHUTDOWN_GRACE_SECONDS', 0, 3600, 30),
  JOB_LOCK_SECONDS: integer('JOB_LOCK_SECONDS', 2, 300, 15),
});

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly redisUrl: string;
  /** Absolute: uploads, temp work dirs and HLS output live below it. */
  readonly storageDir: string;
  readonly queuePrefix: string;
  readonly workerConcurrency: number;
  readonly maxUploadBytes: number;
  readonly allowedOrigins: readonly string[];
  readonly logLevel: LogLevel;
  readonly ffmpegPath: string | undefined;
  readonly ffprobePath: string | undefined;
  readonly hlsSegmentSeconds: number;
  readonly jobAttempts: number;
  readonly keepSource: boolean;
  readonly jobRetentionDays: number;
  /** `npm start` may start a local redis-server when none answers. */
  readonly embeddedRedis: boolean;
  /** How long a stopping worker lets running jobs finish before handing them back. */
  readonly shutdownGraceSeconds: number;
  /** Job lock lifetime: a dead worker's job is taken over within ~5/3 of it. */
  readonly jobLockSeconds: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** The env var names the config reads (for docs and the README check). */
export const CONFIG_ENV_VARS: readonly string[] = Object.keys(envSchema.shape);

/**
 * Reads and validates the configuration. Call it once at start-up and pass
 * the result down; nothing else in the code base reads `process.env`.
 * Values are trimmed; empty ones count as unset, as `FOO= npm start` usually
 * means "default".
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  overrides: Partial<Config> = {},
): Config {
  const raw: Record<string, string> = {};
  for (const name of CONFIG_ENV_VARS) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') raw[name] = value.trim();
  }
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'env'}: ${issue.message}`));
  }
  const e = parsed.data;
  const config: Config = {
    port: e.PORT,
    host: e.HOST,
    redisUrl: e.REDIS_URL,
    storageDir: path.resolve(e.STORAGE_DIR),
    queuePrefix: e.QUEUE_PREFIX,
    workerConcurrency: e.WORKER_CONCURRENCY,
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    allowedOrigins: e.ALLOWED_ORIGINS.split(',').map((origin) => origin.trim()).filter((origin) => origin !== ''),
    logLevel: e.LOG_LEVEL,
    ffmpegPath: e.FFMPEG_PATH,
    ffprobePath: e.FFPROBE_PATH,
    hlsSegmentSeconds: e.HLS_SEGMENT_SECONDS,
    jobAttempts: e.JOB_ATTEMPTS,
    keepSource: e.KEEP_SOURCE,
    jobRetentionDays: e.JOB_RETENTION_DAYS,
    embeddedRedis: e.EMBEDDED_REDIS,
    shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS,
    jobLockSeconds: e.JOB_LOCK_SECONDS,
  };
  return { ...config, ...overrides };
}
