import path from 'node:path';
import { z } from 'zod';
import type { AllowList } from '@stream-server/outbound';
import { allowHosts, hostPorts, list } from './env-values';
import { resolveRedisTarget, type RedisTarget } from './redis-target';
import { resolveStorageTarget, type StorageTarget } from './storage-target';

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
    .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: `${name} must be true or false` }))
    .transform((value) => value === 'true' || value === '1' || value === 'yes')
    .default(fallback);

/** A decimal number such as -14 or -1.5 (loudness targets). */
const decimal = (name: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^-?[0-9]+(\.[0-9]+)?$/, `${name} must be a number, e.g. -14 or -1.5`)
    .transform(Number)
    .pipe(z.number().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`))
    .default(fallback);

const optionalPath = z.string().trim().min(1).optional();

const secret = (name: string) =>
  z.string().min(32, `${name} must be at least 32 characters (use e.g. openssl rand -hex 32)`).optional();

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
  REDIS_CLUSTER_NODES: hostPorts('REDIS_CLUSTER_NODES').optional(),
  REDIS_SENTINELS: hostPorts('REDIS_SENTINELS').optional(),
  REDIS_SENTINEL_NAME: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'REDIS_SENTINEL_NAME must be a master name as sentinel.conf gives it')
    .default('mymaster'),
  REDIS_WAIT_REPLICAS: integer('REDIS_WAIT_REPLICAS', 0, 16, 0),
  STORAGE_DIR: z.string().trim().min(1).default('./data'),
  STORAGE_DRIVER: z.enum(['fs', 's3'], { error: 'STORAGE_DRIVER must be fs or s3' }).default('fs'),
  S3_ENDPOINT: z.url({ protocol: /^https?$/, error: 'S3_ENDPOINT must be an http(s) URL' }).optional(),
  S3_REGION: z.string().trim().min(1).default('us-east-1'),
  S3_BUCKET: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'S3_BUCKET must be a bucket name (3-63 of a-z, 0-9, "." and "-")')
    .optional(),
  S3_PREFIX: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9/_.-]{0,200}$/, 'S3_PREFIX may hold letters, digits, "/", "_", "." and "-"')
    .refine(
      (value) => !value.split('/').some((part) => part === '.' || part === '..'),
      'S3_PREFIX may not hold . or ..',
    )
    .default(''),
  S3_ACCESS_KEY_ID: z.string().trim().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().trim().min(1).optional(),
  S3_FORCE_PATH_STYLE: boolean('S3_FORCE_PATH_STYLE', false),
  MEDIA_PUBLIC_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'MEDIA_PUBLIC_BASE_URL must be an http(s) URL' })
    .transform((value) => value.replace(/\/+$/, ''))
    .optional(),
  QUEUE_PREFIX: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'QUEUE_PREFIX may hold letters, digits, "_", "." and "-" (1-64)')
    .default('stream'),
  WORKER_CONCURRENCY: integer('WORKER_CONCURRENCY', 1, 64, 1),
  MAX_UPLOAD_BYTES: integer('MAX_UPLOAD_BYTES', 1, Number.MAX_SAFE_INTEGER, 2 * 1024 ** 3),
  UPLOAD_EXPIRY_HOURS: integer('UPLOAD_EXPIRY_HOURS', 1, 720, 24),
  ALLOWED_ORIGINS: z.string().default('http://localhost:5176,http://localhost:3000'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  FFMPEG_PATH: optionalPath,
  FFPROBE_PATH: optionalPath,
  HLS_SEGMENT_SECONDS: integer('HLS_SEGMENT_SECONDS', 1, 30, 6),
  JOB_ATTEMPTS: integer('JOB_ATTEMPTS', 1, 20, 3),
  KEEP_SOURCE: boolean('KEEP_SOURCE', false),
  ORPHAN_GRACE_SECONDS: integer('ORPHAN_GRACE_SECONDS', 1, 30 * 86_400, 3600),
  OUTPUT_RETENTION_DAYS: integer('OUTPUT_RETENTION_DAYS', 0, 36_500, 0),
  JOB_RETENTION_DAYS: integer('JOB_RETENTION_DAYS', 1, 3650, 30),
  EMBEDDED_REDIS: boolean('EMBEDDED_REDIS', true),
  SHUTDOWN_GRACE_SECONDS: integer('SHUTDOWN_GRACE_SECONDS', 0, 3600, 30),
  JOB_LOCK_SECONDS: integer('JOB_LOCK_SECONDS', 2, 300, 15),
  JOB_TIMEOUT_FLOOR_SECONDS: integer('JOB_TIMEOUT_FLOOR_SECONDS', 1, 86_400, 120),
  FFMPEG_STALL_SECONDS: integer('FFMPEG_STALL_SECONDS', 1, 3600, 60),
  MAX_DURATION_SECONDS: integer('MAX_DURATION_SECONDS', 1, 86_400, 4 * 3600),
  MAX_CHANNELS: integer('MAX_CHANNELS', 1, 64, 8),
  MAX_SAMPLE_RATE: integer('MAX_SAMPLE_RATE', 8000, 768_000, 192_000),
  UPLOAD_IDLE_TIMEOUT_SECONDS: integer('UPLOAD_IDLE_TIMEOUT_SECONDS', 1, 3600, 30),
  UPLOAD_MIN_BYTES_PER_SECOND: integer('UPLOAD_MIN_BYTES_PER_SECOND', 0, 1024 ** 3, 16 * 1024),
  UPLOAD_RATE_WINDOW_SECONDS: integer('UPLOAD_RATE_WINDOW_SECONDS', 1, 3600, 30),
  MAX_CONCURRENT_UPLOADS: integer('MAX_CONCURRENT_UPLOADS', 1, 100_000, 64),
  PROBE_TIMEOUT_SECONDS: integer('PROBE_TIMEOUT_SECONDS', 1, 3600, 15),
  INGEST_TIMEOUT_SECONDS: integer('INGEST_TIMEOUT_SECONDS', 1, 86_400, 300),
  INGEST_ALLOW_HOSTS: allowHosts('INGEST_ALLOW_HOSTS').default([]),
  API_KEYS: list.pipe(z.array(z.string().min(16, 'API_KEYS entries must be at least 16 characters'))).default([]),
  JWT_SECRET: secret('JWT_SECRET'),
  // PEM; "\n" escapes are accepted so the key fits on one env line.
  JWT_PUBLIC_KEY: z
    .string()
    .transform((value) => value.replace(/\\n/g, '\n'))
    .pipe(z.string().regex(/-----BEGIN PUBLIC KEY-----/, 'JWT_PUBLIC_KEY must be a PEM public key (SPKI)'))
    .optional(),
  JWT_AUDIENCE: z.string().trim().min(1).default('stream-server'),
  JWT_ISSUER: z.string().trim().min(1).optional(),
  PLAYBACK_SIGNING_KEY: secret('PLAYBACK_SIGNING_KEY'),
  PLAYBACK_TOKEN_TTL_SECONDS: integer('PLAYBACK_TOKEN_TTL_SECONDS', 10, 7 * 86_400, 6 * 3600),
  RATE_LIMIT_SUBMITS_PER_MINUTE: integer('RATE_LIMIT_SUBMITS_PER_MINUTE', 0, 1_000_000, 30),
  RATE_LIMIT_READS_PER_MINUTE: integer('RATE_LIMIT_READS_PER_MINUTE', 0, 10_000_000, 1200),
  RATE_LIMIT_PLAYBACK_PER_MINUTE: integer('RATE_LIMIT_PLAYBACK_PER_MINUTE', 0, 10_000_000, 0),
  TRUST_PROXY: integer('TRUST_PROXY', 0, 10, 0),
  LOUDNESS_TARGET: decimal('LOUDNESS_TARGET', -70, -5, -14),
  LOUDNESS_TRUE_PEAK: decimal('LOUDNESS_TRUE_PEAK', -9, 0, -1),
  WAVEFORM_SAMPLES_PER_PIXEL: integer('WAVEFORM_SAMPLES_PER_PIXEL', 32, 65_536, 512),
  WEBHOOK_SECRET: secret('WEBHOOK_SECRET'),
  WEBHOOK_ALLOW_PRIVATE: boolean('WEBHOOK_ALLOW_PRIVATE', false),
  WEBHOOK_TIMEOUT_SECONDS: integer('WEBHOOK_TIMEOUT_SECONDS', 1, 120, 10),
  WEBHOOK_RETRY_HOURS: integer('WEBHOOK_RETRY_HOURS', 1, 168, 24),
  SSE_HEARTBEAT_SECONDS: integer('SSE_HEARTBEAT_SECONDS', 1, 300, 15),
});

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly redisUrl: string;
  /** REDIS_URL alone, or with REDIS_CLUSTER_NODES / REDIS_SENTINELS. */
  readonly redis: RedisTarget;
  /**
   * A submit answers 200 only once this many replicas hold its job (Redis
   * WAIT); 0: once the master does. Replication is asynchronous, so a
   * failover can otherwise lose a job acknowledged a moment before.
   */
  readonly redisWaitReplicas: number;
  /**
   * Absolute: uploads, temp work dirs and HLS output live below it. With
   * the s3 driver it is this process's private scratch.
   */
  readonly storageDir: string;
  /** STORAGE_DRIVER and the S3_* settings. */
  readonly storage: StorageTarget;
  /**
   * With the s3 driver: media GETs answer 302 to this base + the object's
   * key (a CDN or the bucket's public URL) instead of streaming the object.
   */
  readonly mediaPublicBaseUrl: string | undefined;
  /**
   * Every Redis key of ours and BullMQ's starts with it. On a Redis
   * Cluster it is QUEUE_PREFIX in braces (`{stream}`), a hash tag that puts
   * every key in one slot, so multi-key scripts and MULTIs run there.
   */
  readonly queuePrefix: string;
  readonly workerConcurrency: number;
  readonly maxUploadBytes: number;
  /**
   * An unfinished resumable (tus) upload expires this long after it was
   * created; the API sweeps expired ones. Seconds, so tests can shorten it.
   */
  readonly uploadExpirySeconds: number;
  readonly allowedOrigins: readonly string[];
  readonly logLevel: LogLevel;
  readonly ffmpegPath: string | undefined;
  readonly ffprobePath: string | undefined;
  readonly hlsSegmentSeconds: number;
  readonly jobAttempts: number;
  readonly keepSource: boolean;
  /** An upload or work dir no job owns is removed once this old (workers sweep periodically). */
  readonly orphanGraceSeconds: number;
  /** Outputs older than this are taken down by the workers' sweep (0: kept). */
  readonly outputRetentionDays: number;
  readonly jobRetentionDays: number;
  /** `npm start` may start a local redis-server when none answers. */
  readonly embeddedRedis: boolean;
  /**
   * On SIGTERM: how long a worker lets running jobs finish before handing
   * them back, and how long the API lets uploads in flight finish before
   * aborting them.
   */
  readonly shutdownGraceSeconds: number;
  /** Job lock lifetime: a dead worker's job is taken over within ~5/3 of it. */
  readonly jobLockSeconds: number;
  /** An attempt is killed after this plus 2 s per second of audio. */
  /** An ffmpeg whose progress has not advanced for this long is killed; the attempt is retried. */
  readonly ffmpegStallSeconds: number;
  readonly jobTimeoutFloorSeconds: number;
  readonly maxDurationSeconds: number;
  readonly maxChannels: number;
  readonly maxSampleRate: number;
  /** An upload that sends nothing for this long is cut off (408). */
  readonly uploadIdleTimeoutSeconds: number;
  /** An upload averaging less than this over a rate window is cut off (408); 0: no floor. */
  readonly uploadMinBytesPerSecond: number;
  readonly uploadRateWindowSeconds: number;
  /** Uploads one API process takes at once; more get 503 at once. */
  readonly maxConcurrentUploads: number;
  /** ffprobe of an upload is killed after this (503 PROBE_TIMEOUT). */
  readonly probeTimeoutSeconds: number;
  /** A `source_url` fetch, first lookup to last byte, is given up after this (504 SOURCE_FETCH_TIMEOUT). */
  readonly ingestTimeoutSeconds: number;
  /** Hosts (and ports) a `source_url` may reach although they are on private or loopback addresses. */
  readonly ingestAllowHosts: AllowList;
  /** Bearer keys with every scope; empty (and no JWT key) means auth is off. */
  readonly apiKeys: readonly string[];
  readonly jwtSecret: string | undefined;
  readonly jwtPublicKey: string | undefined;
  readonly jwtAudience: string;
  readonly jwtIssuer: string | undefined;
  /** When set, playlists and segments need an expiring HMAC token. */
  readonly playbackSigningKey: string | undefined;
  readonly playbackTokenTtlSeconds: number;
  /** Per API key (or IP without auth), per minute; 0 turns a limit off. */
  readonly rateLimitSubmitsPerMinute: number;
  readonly rateLimitReadsPerMinute: number;
  /**
   * Playlists, segments and init.mp4 are immutable and cheap, and many
   * listeners may share one IP behind NAT, so they have their own budget,
   * off (0) by default, rather than spending the reads one.
   */
  readonly rateLimitPlaybackPerMinute: number;
  /** Reverse-proxy hops to trust for the client IP (Express "trust proxy"). */
  readonly trustProxy: number;
  /** `normalize=true` aims at this integrated loudness (LUFS, EBU R128)… */
  readonly loudnessTargetLufs: number;
  /** …with true peaks kept under this (dBTP). */
  readonly loudnessTruePeakDb: number;
  /** Waveform resolution: source samples per min/max pair (audiowaveform's zoom). */
  readonly waveformSamplesPerPixel: number;
  /** Signs webhook deliveries (HMAC-SHA256); without it `callback_url` is refused. */
  readonly webhookSecret: string | undefined;
  /** Lets `callback_url` point at loopback/private addresses (tests, private networks). */
  readonly webhookAllowPrivate: boolean;
  readonly webhookTimeoutSeconds: number;
  /** A webhook is retried with backoff for this long before it is given up. */
  readonly webhookRetryHours: number;
  /** SSE streams send a comment this often so proxies keep them open. */
  readonly sseHeartbeatSeconds: number;
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
  const redis = resolveRedisTarget({
    url: e.REDIS_URL,
    clusterNodes: e.REDIS_CLUSTER_NODES,
    sentinels: e.REDIS_SENTINELS,
    sentinelName: e.REDIS_SENTINEL_NAME,
    waitReplicas: e.REDIS_WAIT_REPLICAS,
  });
  if (typeof redis === 'string') throw new ConfigError([redis]);
  const storage = resolveStorageTarget({
    driver: e.STORAGE_DRIVER,
    endpoint: e.S3_ENDPOINT,
    region: e.S3_REGION,
    bucket: e.S3_BUCKET,
    prefix: e.S3_PREFIX,
    accessKeyId: e.S3_ACCESS_KEY_ID,
    secretAccessKey: e.S3_SECRET_ACCESS_KEY,
    forcePathStyle: e.S3_FORCE_PATH_STYLE,
  });
  if (Array.isArray(storage)) throw new ConfigError(storage);
  if (e.MEDIA_PUBLIC_BASE_URL !== undefined && storage.driver !== 's3') {
    throw new ConfigError(['MEDIA_PUBLIC_BASE_URL: only with STORAGE_DRIVER=s3']);
  }
  const config: Config = {
    port: e.PORT,
    host: e.HOST,
    redisUrl: e.REDIS_URL,
    redis,
    redisWaitReplicas: e.REDIS_WAIT_REPLICAS,
    storageDir: path.resolve(e.STORAGE_DIR),
    storage,
    mediaPublicBaseUrl: e.MEDIA_PUBLIC_BASE_URL,
    queuePrefix: redis.kind === 'cluster' ? `{${e.QUEUE_PREFIX}}` : e.QUEUE_PREFIX,
    workerConcurrency: e.WORKER_CONCURRENCY,
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    uploadExpirySeconds: e.UPLOAD_EXPIRY_HOURS * 3600,
    allowedOrigins: e.ALLOWED_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
    logLevel: e.LOG_LEVEL,
    ffmpegPath: e.FFMPEG_PATH,
    ffprobePath: e.FFPROBE_PATH,
    hlsSegmentSeconds: e.HLS_SEGMENT_SECONDS,
    jobAttempts: e.JOB_ATTEMPTS,
    keepSource: e.KEEP_SOURCE,
    orphanGraceSeconds: e.ORPHAN_GRACE_SECONDS,
    outputRetentionDays: e.OUTPUT_RETENTION_DAYS,
    jobRetentionDays: e.JOB_RETENTION_DAYS,
    embeddedRedis: e.EMBEDDED_REDIS,
    shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS,
    jobLockSeconds: e.JOB_LOCK_SECONDS,
    jobTimeoutFloorSeconds: e.JOB_TIMEOUT_FLOOR_SECONDS,
    ffmpegStallSeconds: e.FFMPEG_STALL_SECONDS,
    maxDurationSeconds: e.MAX_DURATION_SECONDS,
    maxChannels: e.MAX_CHANNELS,
    maxSampleRate: e.MAX_SAMPLE_RATE,
    uploadIdleTimeoutSeconds: e.UPLOAD_IDLE_TIMEOUT_SECONDS,
    uploadMinBytesPerSecond: e.UPLOAD_MIN_BYTES_PER_SECOND,
    uploadRateWindowSeconds: e.UPLOAD_RATE_WINDOW_SECONDS,
    maxConcurrentUploads: e.MAX_CONCURRENT_UPLOADS,
    probeTimeoutSeconds: e.PROBE_TIMEOUT_SECONDS,
    ingestTimeoutSeconds: e.INGEST_TIMEOUT_SECONDS,
    ingestAllowHosts: e.INGEST_ALLOW_HOSTS,
    apiKeys: e.API_KEYS,
    jwtSecret: e.JWT_SECRET,
    jwtPublicKey: e.JWT_PUBLIC_KEY,
    jwtAudience: e.JWT_AUDIENCE,
    jwtIssuer: e.JWT_ISSUER,
    playbackSigningKey: e.PLAYBACK_SIGNING_KEY,
    playbackTokenTtlSeconds: e.PLAYBACK_TOKEN_TTL_SECONDS,
    rateLimitSubmitsPerMinute: e.RATE_LIMIT_SUBMITS_PER_MINUTE,
    rateLimitReadsPerMinute: e.RATE_LIMIT_READS_PER_MINUTE,
    rateLimitPlaybackPerMinute: e.RATE_LIMIT_PLAYBACK_PER_MINUTE,
    trustProxy: e.TRUST_PROXY,
    loudnessTargetLufs: e.LOUDNESS_TARGET,
    loudnessTruePeakDb: e.LOUDNESS_TRUE_PEAK,
    waveformSamplesPerPixel: e.WAVEFORM_SAMPLES_PER_PIXEL,
    webhookSecret: e.WEBHOOK_SECRET,
    webhookAllowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
    webhookTimeoutSeconds: e.WEBHOOK_TIMEOUT_SECONDS,
    webhookRetryHours: e.WEBHOOK_RETRY_HOURS,
    sseHeartbeatSeconds: e.SSE_HEARTBEAT_SECONDS,
  };
  return { ...config, ...overrides };
}
