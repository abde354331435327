import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createApiServer, type ApiServer } from '@stream-server/api';
import { loadConfig, type Config } from '@stream-server/config';
import { createRedis, TranscodeQueue, WebhookQueue } from '@stream-server/queue';
import { FleetMetrics, FleetRegistry } from '@stream-server/fleet';
import { silentLogger, type Logger } from '@stream-server/logger';
import { createWorkerApp, webhookRelayCursorKey, type WorkerApp, type WorkerAppOptions } from '@stream-server/worker';

export interface TestStack {
  readonly baseUrl: string;
  /**
   * Leftovers once asynchronous cleanup (of an aborted upload, say) has had
   * up to 2 s to run: [] when nothing was left behind.
   */
  settledLeftovers(): Promise<string[]>;
  readonly config: Config;
  readonly api: ApiServer;
  readonly workers: WorkerApp[];
  /** Files left under uploads/ and tmp/ (should be none after a rejected request). */
  leftovers(): Promise<string[]>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** How many in-process workers (0: jobs stay Pending). */
  readonly workers?: number;
  readonly env?: Readonly<Record<string, string>>;
  /** Config values no env var can express (a resumable upload expiry in seconds, say). */
  readonly overrides?: Partial<Config>;
  /** The API's and workers' logger (default: silent). */
  readonly logger?: Logger;
  /** Passed to every in-process worker (e.g. a short webhook backoff). */
  readonly workerOptions?: WorkerAppOptions;
}

/**
 * Runs the real API and workers in-process on port 0, against the real
 * Redis and ffmpeg, with a unique QUEUE_PREFIX and a private STORAGE_DIR.
 * `stop()` obliterates the queue's keys and deletes the storage dir.
 */
export async function startStack(name: string, options: StackOptions = {}): Promise<TestStack> {
  const storageDir = await mkdtemp(path.join(os.tmpdir(), `stream-${name}-`));
  const config = loadConfig(
    {
      REDIS_URL: process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      // Tests poll fast from one IP; suites about limits turn them back on.
      RATE_LIMIT_SUBMITS_PER_MINUTE: '0',
      RATE_LIMIT_READS_PER_MINUTE: '0',
      ...options.env,
      PORT: '0',
      HOST: '127.0.0.1',
      STORAGE_DIR: storageDir,
      QUEUE_PREFIX: `test-${name}-${randomUUID().slice(0, 8)}`,
      LOG_LEVEL: 'error',
    },
    options.overrides,
  );
  const workers = Array.from({ length: options.workers ?? 1 }, () =>
    createWorkerApp(config, options.logger ?? silentLogger, options.workerOptions),
  );
  for (const worker of workers) await worker.start();
  const api = createApiServer(config, options.logger ?? silentLogger);
  const port = await api.start();
  // start() does not wait for Redis (the API must come up without it), and
  // a submit sent before its connection is ready gets a 503: wait as a
  // readiness probe would.
  const deadline = Date.now() + 10_000;
  while ((await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.status !== 200) {
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const leftovers = async (): Promise<string[]> => {
    const found: string[] = [];
    for (const dir of ['uploads', 'tmp']) {
      const entries = await readdir(path.join(storageDir, dir)).catch(() => [] as string[]);
      found.push(...entries.map((entry) => `${dir}/${entry}`));
    }
    return found;
  };

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    config,
    api,
    workers,
    async settledLeftovers() {
      const deadline = Date.now() + 2_000;
      let left = await leftovers();
      while (left.length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        left = await leftovers();
      }
      return left;
    },
    leftovers,
    async stop() {
      await api.stop().catch(() => undefined);
      await Promise.all(workers.map((worker) => worker.stop().catch(() => undefined)));
      const redis = createRedis(config.redis, 'worker');
      const queue = new TranscodeQueue(redis, { prefix: config.queuePrefix, attempts: 1, retentionDays: 1 });
      try {
        await queue.obliterate();
        await new FleetRegistry(redis, config.queuePrefix).clear();
        await new FleetMetrics(redis, config.queuePrefix).clear();
        const webhooks = new WebhookQueue(redis, { prefix: config.queuePrefix, retryHours: 1, retentionDays: 1 });
        await webhooks.obliterate().finally(() => webhooks.close());
        await redis.del(webhookRelayCursorKey(config.queuePrefix));
      } finally {
        await queue.close();
        await redis.quit();
        await rm(storageDir, { recursive: true, force: true });
      }
    },
  };
}

export interface JobBody {
  id: string;
  track_id: string;
  status: string;
  progress: number;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  error: string | null;
  [extra: string]: unknown;
}

/** Polls `GET /v1/stream/job/{id}` (as the seed's clients do, faster) until a terminal status. */
export async function waitForJob(baseUrl: string, jobId: string, timeoutMs = 60_000): Promise<JobBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${baseUrl}/v1/stream/job/${jobId}`);
    const body = toJobBody(await readJson(response));
    if (body.status === 'Completed' || body.status === 'Cancelled' || body.status.startsWith('Failed')) return body;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${body.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Submits a file with the given form fields, the way the seed's JS client does. */
export async function submit(
  baseUrl: string,
  file: Blob,
  fileName: string,
  fields: Readonly<Record<string, string>> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new FormData();
  form.append('file', file, fileName);
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  const response = await fetch(`${baseUrl}/v1/stream/transcode`, { method: 'POST', body: form });
  const body = await readJson(response);
  return { status: response.status, body };
}

/** A response's JSON body as a plain object (tests fail clearly on anything else). */
export async function readJson(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`expected JSON, got ${response.status}: ${text.slice(0, 200)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`expected a JSON object, got ${text.slice(0, 200)}`);
  }
  return Object.fromEntries(Object.entries(value));
}

function toJobBody(body: Record<string, unknown>): JobBody {
  const { id, track_id, status, progress, created_at, started_at, completed_at, error } = body;
  const nullableString = (value: unknown): value is string | null => value === null || typeof value === 'string';
  if (
    typeof id !== 'string' ||
    typeof track_id !== 'string' ||
    typeof status !== 'string' ||
    typeof progress !== 'number' ||
    typeof created_at !== 'string' ||
    !nullableString(started_at) ||
    !nullableString(completed_at) ||
    !nullableString(error)
  ) {
    throw new Error(`not a job body: ${JSON.stringify(body)}`);
  }
  return { ...body, id, track_id, status, progress, created_at, started_at, completed_at, error };
}
