import path from 'node:path';
import { ConfigError, loadConfig } from '@stream-server/config';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig: defaults', () => {
  it('an empty env gives every default', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      port: 8082,
      host: '0.0.0.0',
      redisUrl: 'redis://127.0.0.1:6379',
      redis: { kind: 'single', url: 'redis://127.0.0.1:6379' },
      redisWaitReplicas: 0,
      storageDir: path.resolve('data'),
      storage: { driver: 'fs' },
      mediaPublicBaseUrl: undefined,
      queuePrefix: 'stream',
      workerConcurrency: 1,
      maxUploadBytes: 2_147_483_648,
      uploadExpirySeconds: 86_400,
      allowedOrigins: ['http://localhost:5176', 'http://localhost:3000'],
      logLevel: 'info',
      ffmpegPath: undefined,
      ffprobePath: undefined,
      hlsSegmentSeconds: 6,
      jobAttempts: 3,
      keepSource: false,
      orphanGraceSeconds: 3600,
      ffmpegStallSeconds: 60,
      outputRetentionDays: 0,
      jobRetentionDays: 30,
      embeddedRedis: true,
      shutdownGraceSeconds: 30,
      jobLockSeconds: 15,
      jobTimeoutFloorSeconds: 120,
      maxDurationSeconds: 14_400,
      maxChannels: 8,
      maxSampleRate: 192_000,
      uploadIdleTimeoutSeconds: 30,
      uploadMinBytesPerSecond: 16_384,
      uploadRateWindowSeconds: 30,
      maxConcurrentUploads: 64,
      probeTimeoutSeconds: 15,
      ingestTimeoutSeconds: 300,
      ingestAllowHosts: [],
      apiKeys: [],
      jwtSecret: undefined,
      jwtPublicKey: undefined,
      jwtAudience: 'stream-server',
      jwtIssuer: undefined,
      playbackSigningKey: undefined,
      playbackTokenTtlSeconds: 21_600,
      rateLimitSubmitsPerMinute: 30,
      rateLimitReadsPerMinute: 1200,
      rateLimitPlaybackPerMinute: 0,
      trustProxy: 0,
      loudnessTargetLufs: -14,
      loudnessTruePeakDb: -1,
      waveformSamplesPerPixel: 512,
      webhookSecret: undefined,
      webhookAllowPrivate: false,
      webhookTimeoutSeconds: 10,
      webhookRetryHours: 24,
      sseHeartbeatSeconds: 15,
    });
  });

  it('the default storage dir is absolute and ends in "data"', () => {
    const { storageDir } = loadConfig({});
    expect(path.isAbsolute(storageDir)).toBe(true);
    expect(path.basename(storageDir)).toBe('data');
  });

  it('max upload defaults to 2 GiB', () => {
    expect(loadConfig({}).maxUploadBytes).toBe(2 * 1024 * 1024 * 1024);
  });

  it('does not read process.env when given an env', () => {
    const saved = process.env['PORT'];
    process.env['PORT'] = '1234';
    try {
      expect(loadConfig({}).port).toBe(8082);
    } finally {
      if (saved === undefined) delete process.env['PORT'];
      else process.env['PORT'] = saved;
    }
  });

  it('empty and blank values count as unset', () => {
    const config = loadConfig({
      PORT: '',
      REDIS_URL: '   ',
      LOG_LEVEL: '',
      WORKER_CONCURRENCY: '',
      KEEP_SOURCE: '',
      QUEUE_PREFIX: ' ',
      ALLOWED_ORIGINS: '',
      FFMPEG_PATH: '',
    });
    expect(config.port).toBe(8082);
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.logLevel).toBe('info');
    expect(config.workerConcurrency).toBe(1);
    expect(config.keepSource).toBe(false);
    expect(config.queuePrefix).toBe('stream');
    expect(config.allowedOrigins).toEqual(['http://localhost:5176', 'http://localhost:3000']);
    expect(config.ffmpegPath).toBeUndefined();
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ SOMETHING_ELSE: 'x', port: '1' })).toEqual(loadConfig({}));
  });
});

describe('loadConfig: overrides', () => {
  it('parses every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '127.0.0.1',
      REDIS_URL: 'rediss://user:pw@redis.example:6380/2',
      REDIS_SENTINELS: 'sentinel.example:26379',
      REDIS_SENTINEL_NAME: 'media',
      REDIS_WAIT_REPLICAS: '2',
      STORAGE_DIR: '/var/lib/stream-server',
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: 'http://minio:9000',
      S3_REGION: 'eu-west-3',
      S3_BUCKET: 'media.example',
      S3_PREFIX: '/site-a/',
      S3_ACCESS_KEY_ID: 'AKIA1',
      S3_SECRET_ACCESS_KEY: 'secret',
      S3_FORCE_PATH_STYLE: 'true',
      MEDIA_PUBLIC_BASE_URL: 'https://cdn.example/media/',
      QUEUE_PREFIX: 'test-1.a_b',
      WORKER_CONCURRENCY: '4',
      MAX_UPLOAD_BYTES: '1048576',
      UPLOAD_EXPIRY_HOURS: '2',
      ALLOWED_ORIGINS: 'https://a.example,https://b.example:8443',
      LOG_LEVEL: 'debug',
      FFMPEG_PATH: '/opt/ffmpeg/bin/ffmpeg',
      FFPROBE_PATH: '/opt/ffmpeg/bin/ffprobe',
      HLS_SEGMENT_SECONDS: '10',
      JOB_ATTEMPTS: '5',
      KEEP_SOURCE: 'true',
      ORPHAN_GRACE_SECONDS: '120',
      FFMPEG_STALL_SECONDS: '15',
      OUTPUT_RETENTION_DAYS: '90',
      JOB_RETENTION_DAYS: '7',
      EMBEDDED_REDIS: 'false',
      SHUTDOWN_GRACE_SECONDS: '0',
      JOB_LOCK_SECONDS: '3',
      JOB_TIMEOUT_FLOOR_SECONDS: '5',
      MAX_DURATION_SECONDS: '600',
      MAX_CHANNELS: '2',
      MAX_SAMPLE_RATE: '48000',
      UPLOAD_IDLE_TIMEOUT_SECONDS: '7',
      UPLOAD_MIN_BYTES_PER_SECOND: '0',
      UPLOAD_RATE_WINDOW_SECONDS: '10',
      MAX_CONCURRENT_UPLOADS: '3',
      PROBE_TIMEOUT_SECONDS: '5',
      INGEST_TIMEOUT_SECONDS: '60',
      INGEST_ALLOW_HOSTS: 'media.internal, 10.0.0.5:8080,[::1]:9000',
      API_KEYS: 'key-aaaaaaaaaaaaaaaa, key-bbbbbbbbbbbbbbbb',
      JWT_SECRET: 's'.repeat(32),
      JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----',
      JWT_AUDIENCE: 'media',
      JWT_ISSUER: 'https://issuer.example',
      PLAYBACK_SIGNING_KEY: 'p'.repeat(40),
      PLAYBACK_TOKEN_TTL_SECONDS: '300',
      RATE_LIMIT_SUBMITS_PER_MINUTE: '0',
      RATE_LIMIT_READS_PER_MINUTE: '100',
      RATE_LIMIT_PLAYBACK_PER_MINUTE: '5000',
      TRUST_PROXY: '1',
      LOUDNESS_TARGET: '-16.5',
      LOUDNESS_TRUE_PEAK: '-2',
      WAVEFORM_SAMPLES_PER_PIXEL: '256',
      WEBHOOK_SECRET: 'w'.repeat(32),
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_TIMEOUT_SECONDS: '3',
      WEBHOOK_RETRY_HOURS: '2',
      SSE_HEARTBEAT_SECONDS: '5',
    });
    expect(config).toEqual({
      port: 9000,
      host: '127.0.0.1',
      redisUrl: 'rediss://user:pw@redis.example:6380/2',
      redis: {
        kind: 'sentinel',
        url: 'rediss://user:pw@redis.example:6380/2',
        sentinels: [{ host: 'sentinel.example', port: 26379 }],
        name: 'media',
      },
      redisWaitReplicas: 2,
      storageDir: path.resolve('/var/lib/stream-server'),
      storage: {
        driver: 's3',
        endpoint: 'http://minio:9000',
        region: 'eu-west-3',
        bucket: 'media.example',
        prefix: 'site-a/',
        credentials: { accessKeyId: 'AKIA1', secretAccessKey: 'secret' },
        forcePathStyle: true,
      },
      mediaPublicBaseUrl: 'https://cdn.example/media',
      queuePrefix: 'test-1.a_b',
      workerConcurrency: 4,
      maxUploadBytes: 1_048_576,
      uploadExpirySeconds: 7200,
      allowedOrigins: ['https://a.example', 'https://b.example:8443'],
      logLevel: 'debug',
      ffmpegPath: '/opt/ffmpeg/bin/ffmpeg',
      ffprobePath: '/opt/ffmpeg/bin/ffprobe',
      hlsSegmentSeconds: 10,
      jobAttempts: 5,
      keepSource: true,
      orphanGraceSeconds: 120,
      ffmpegStallSeconds: 15,
      outputRetentionDays: 90,
      jobRetentionDays: 7,
      embeddedRedis: false,
      shutdownGraceSeconds: 0,
      jobLockSeconds: 3,
      jobTimeoutFloorSeconds: 5,
      maxDurationSeconds: 600,
      maxChannels: 2,
      maxSampleRate: 48_000,
      uploadIdleTimeoutSeconds: 7,
      uploadMinBytesPerSecond: 0,
      uploadRateWindowSeconds: 10,
      maxConcurrentUploads: 3,
      probeTimeoutSeconds: 5,
      ingestTimeoutSeconds: 60,
      ingestAllowHosts: [
        { host: 'media.internal', port: null },
        { host: '10.0.0.5', port: 8080 },
        { host: '[::1]', port: 9000 },
      ],
      apiKeys: ['key-aaaaaaaaaaaaaaaa', 'key-bbbbbbbbbbbbbbbb'],
      jwtSecret: 's'.repeat(32),
      jwtPublicKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----',
      jwtAudience: 'media',
      jwtIssuer: 'https://issuer.example',
      playbackSigningKey: 'p'.repeat(40),
      playbackTokenTtlSeconds: 300,
      rateLimitSubmitsPerMinute: 0,
      rateLimitReadsPerMinute: 100,
      rateLimitPlaybackPerMinute: 5000,
      trustProxy: 1,
      loudnessTargetLufs: -16.5,
      loudnessTruePeakDb: -2,
      waveformSamplesPerPixel: 256,
      webhookSecret: 'w'.repeat(32),
      webhookAllowPrivate: true,
      webhookTimeoutSeconds: 3,
      webhookRetryHours: 2,
      sseHeartbeatSeconds: 5,
    });
  });

  it('reads negative decimal loudness targets and refuses out-of-range ones', () => {
    expect(loadConfig({ LOUDNESS_TARGET: '-23', LOUDNESS_TRUE_PEAK: '-1.5' })).toMatchObject({
      loudnessTargetLufs: -23,
      loudnessTruePeakDb: -1.5,
    });
    expect(() => loadConfig({ LOUDNESS_TARGET: '3' })).toThrow(/LOUDNESS_TARGET must be at most -5/);
    expect(() => loadConfig({ LOUDNESS_TRUE_PEAK: 'loud' })).toThrow(/LOUDNESS_TRUE_PEAK must be a number/);
  });

  it('trims numbers', () => {
    expect(loadConfig({ PORT: ' 9001 ' }).port).toBe(9001);
  });

  it('refuses short secrets and API keys, and a JWT key that is not PEM', () => {
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ PLAYBACK_SIGNING_KEY: 'short' })).toThrow(/PLAYBACK_SIGNING_KEY/);
    expect(() => loadConfig({ API_KEYS: 'abc' })).toThrow(/API_KEYS/);
    expect(() => loadConfig({ JWT_PUBLIC_KEY: 'not a key' })).toThrow(/JWT_PUBLIC_KEY/);
  });

  it('trims every value and reads booleans in any case', () => {
    const config = loadConfig({ LOG_LEVEL: ' debug ', KEEP_SOURCE: ' TRUE', EMBEDDED_REDIS: 'No ' });
    expect(config.logLevel).toBe('debug');
    expect(config.keepSource).toBe(true);
    expect(config.embeddedRedis).toBe(false);
  });

  it('resolves a relative storage dir against the working directory', () => {
    expect(loadConfig({ STORAGE_DIR: 'var/media' }).storageDir).toBe(path.join(process.cwd(), 'var', 'media'));
  });

  it('ALLOWED_ORIGINS is trimmed and empty entries dropped', () => {
    expect(loadConfig({ ALLOWED_ORIGINS: ' https://a.example , ,https://b.example,,  ' }).allowedOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });

  it.each<[string, boolean]>([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ])('KEEP_SOURCE %j → %p', (value, expected) => {
    expect(loadConfig({ KEEP_SOURCE: value }).keepSource).toBe(expected);
  });

  it('accepts the bounds', () => {
    expect(loadConfig({ PORT: '65535', WORKER_CONCURRENCY: '64', HLS_SEGMENT_SECONDS: '1' })).toMatchObject({
      port: 65_535,
      workerConcurrency: 64,
      hlsSegmentSeconds: 1,
    });
  });

  it('explicit overrides win over the env', () => {
    expect(loadConfig({ PORT: '9000' }, { port: 0 }).port).toBe(0);
  });
});

describe('loadConfig: invalid values', () => {
  it.each<[string, string]>([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['WORKER_CONCURRENCY', '0'],
    ['WORKER_CONCURRENCY', '65'],
    ['MAX_UPLOAD_BYTES', '0'],
    ['UPLOAD_EXPIRY_HOURS', '0'],
    ['MAX_UPLOAD_BYTES', '99999999999999999999'],
    ['HLS_SEGMENT_SECONDS', '31'],
    ['JOB_ATTEMPTS', '0'],
    ['LOG_LEVEL', 'loud'],
    ['REDIS_URL', 'http://x'],
    ['REDIS_URL', 'redis://'],
    ['QUEUE_PREFIX', 'a b'],
    ['QUEUE_PREFIX', 'a:b'],
    ['QUEUE_PREFIX', 'x'.repeat(65)],
    ['KEEP_SOURCE', 'maybe'],
    ['EMBEDDED_REDIS', 'TRUE!'],
    ['INGEST_TIMEOUT_SECONDS', '0'],
    ['INGEST_ALLOW_HOSTS', 'media.internal,http://x.example/'],
    ['INGEST_ALLOW_HOSTS', '*.example'],
    ['INGEST_ALLOW_HOSTS', 'host:99999'],
  ])('%s=%j → ConfigError naming the variable', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems.length).toBeGreaterThanOrEqual(1);
    for (const problem of problems) expect(problem.startsWith(`${name}: `)).toBe(true);
  });

  it('the error message lists the problems', () => {
    let caught: unknown;
    try {
      loadConfig({ PORT: 'abc' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).name).toBe('ConfigError');
    expect((caught as Error).message).toContain('PORT');
  });

  it('reports several bad values together', () => {
    const problems = problemsOf({
      PORT: 'abc',
      LOG_LEVEL: 'loud',
      KEEP_SOURCE: 'maybe',
      QUEUE_PREFIX: 'a b',
      REDIS_URL: 'http://x',
    });
    for (const name of ['PORT', 'LOG_LEVEL', 'KEEP_SOURCE', 'QUEUE_PREFIX', 'REDIS_URL']) {
      expect(problems.filter((problem) => problem.startsWith(`${name}:`)).length).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('loadConfig: where Redis is', () => {
  it('REDIS_CLUSTER_NODES makes a cluster and hash-tags the prefix', () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, redis-b:7001 ,', QUEUE_PREFIX: 'music' });
    expect(config.redis).toEqual({
      kind: 'cluster',
      url: 'redis://127.0.0.1:6379',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-b', port: 7001 },
      ],
    });
    expect(config.queuePrefix).toBe('{music}');
  });

  it('REDIS_SENTINELS follows the named master and keeps the prefix', () => {
    const config = loadConfig({
      REDIS_SENTINELS: 's1:26379,s2:26379',
      REDIS_SENTINEL_NAME: 'media',
      REDIS_URL: 'redis://:secret@ignored:6379/2',
      REDIS_WAIT_REPLICAS: '1',
    });
    expect(config.redis).toEqual({
      kind: 'sentinel',
      url: 'redis://:secret@ignored:6379/2',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      name: 'media',
    });
    expect(config.queuePrefix).toBe('stream');
    expect(config.redisWaitReplicas).toBe(1);
  });

  it.each([
    [{ REDIS_CLUSTER_NODES: 'a:1', REDIS_SENTINELS: 'b:2' }, 'set one of them'],
    [{ REDIS_CLUSTER_NODES: 'a:1', REDIS_WAIT_REPLICAS: '1' }, 'min-replicas-to-write'],
    [{ REDIS_CLUSTER_NODES: 'a' }, 'host:port'],
    [{ REDIS_SENTINELS: 'a:99999' }, '1-65535'],
    [{ REDIS_SENTINELS: ',' }, 'at least one'],
    [{ REDIS_SENTINEL_NAME: 'my master' }, 'REDIS_SENTINEL_NAME'],
    [{ REDIS_WAIT_REPLICAS: '17' }, 'at most 16'],
  ])('refuses %j', (env, message) => {
    expect(problemsOf(env).join('\n')).toContain(message);
  });
});

describe('loadConfig: storage', () => {
  it('takes the SDK default credentials and region when none are set', () => {
    expect(loadConfig({ STORAGE_DRIVER: 's3', S3_BUCKET: 'media' }).storage).toEqual({
      driver: 's3',
      endpoint: undefined,
      region: 'us-east-1',
      bucket: 'media',
      prefix: '',
      credentials: undefined,
      forcePathStyle: false,
    });
  });

  it.each([
    [{ STORAGE_DRIVER: 'nfs' }, 'STORAGE_DRIVER must be fs or s3'],
    [{ STORAGE_DRIVER: 's3' }, 'S3_BUCKET: required with STORAGE_DRIVER=s3'],
    [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'Media_Bucket' }, 'S3_BUCKET must be a bucket name'],
    [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'media', S3_ACCESS_KEY_ID: 'a' }, 'set both or neither'],
    [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'media', S3_ENDPOINT: 'ftp://minio' }, 'S3_ENDPOINT must be an http(s) URL'],
    [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'media', S3_PREFIX: 'a/../b' }, 'S3_PREFIX may not hold . or ..'],
    [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'media', S3_PREFIX: 'a b' }, 'S3_PREFIX may hold'],
    [{ MEDIA_PUBLIC_BASE_URL: 'https://cdn.example' }, 'only with STORAGE_DRIVER=s3'],
    [
      { STORAGE_DRIVER: 's3', S3_BUCKET: 'media', MEDIA_PUBLIC_BASE_URL: 'cdn.example' },
      'MEDIA_PUBLIC_BASE_URL must be',
    ],
  ])('refuses %j', (env, message) => {
    expect(problemsOf(env).join('\n')).toContain(message);
  });
});
