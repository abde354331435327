/**
 * The ops surface on the real stack (one API, two workers, real Redis and
 * ffmpeg): queue stats and a Prometheus scrape read while a batch runs
 * and after it; a second API instance on the same Redis sees the same
 * fleet; the job listing; bull-board; and the scopes each needs.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { Writable } from 'node:stream';
import path from 'node:path';
import { SignJWT } from 'jose';
import { createApiServer, type ApiServer } from '@stream-server/api';
import { createWinstonLogger, silentLogger } from '@stream-server/logger';
import { makeTrack } from '../support/media';
import { readJson, startStack, submit, waitForJob, type TestStack } from '../support/stack';

const BATCH: ReadonlyArray<{ codec: string; priority: string }> = [
  { codec: 'aac', priority: 'urgent' },
  { codec: 'mp3', priority: 'normal' },
  { codec: 'aac', priority: 'background' },
  { codec: 'mp3', priority: 'background' },
  { codec: 'aac', priority: 'normal' },
  { codec: 'mp3', priority: 'urgent' },
];

let fixtures: string;
let wav: Blob;

beforeAll(async () => {
  fixtures = await mkdtemp(path.join(os.tmpdir(), 'ops-fixtures-'));
  wav = new Blob([await readFile(await makeTrack(fixtures, 'tone', { seconds: 2 }))]);
});

afterAll(async () => {
  await rm(fixtures, { recursive: true, force: true });
});

/** An API's Redis connection comes up just after it listens (until then, 503): wait for it. */
async function untilHealthy(baseUrl: string): Promise<void> {
  for (let tries = 0; (await fetch(`${baseUrl}/health`)).status !== 200; tries++) {
    if (tries > 50) throw new Error(`${baseUrl} never saw Redis`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Stats {
  counts: Record<string, number>;
  by_priority: Record<string, { waiting: number; active: number }>;
  workers: Array<{ id: string; current_jobs: string[]; concurrency: number; codecs: string[] }>;
  throughput: { last_1m: number; last_5m: number; last_15m: number; failed: { last_1m: number } };
  oldest_waiting_age_seconds: number | null;
  generated_at: string;
}

async function stats(baseUrl: string, headers: Record<string, string> = {}): Promise<Stats> {
  const response = await fetch(`${baseUrl}/v1/stream/queue/stats`, { headers });
  expect(response.status).toBe(200);
  // The shape is checked by the assertions that use it.
  return (await readJson(response)) as unknown as Stats;
}

async function scrape(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** The value of one sample line, e.g. metric(text, 'stream_jobs_completed_total{codec="aac"}'). */
function metric(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** The fleet-wide lines (from Redis), which every API instance must render alike. */
function fleetLines(text: string): string[] {
  return text
    .split('\n')
    .filter((line) =>
      /^stream_(jobs_completed_total|jobs_failed_total|job_duration_seconds|job_realtime_factor)/.test(line),
    );
}

describe('a batch on two workers', () => {
  let stack: TestStack;
  let second: ApiServer | undefined;
  const jobIds: string[] = [];
  const currentSeen = new Set<string>();
  const during = {
    maxActive: 0,
    maxWaiting: 0,
    busyWorkers: 0,
    waitingConsistent: true,
    oldestSeen: false,
    scrapedActive: 0,
    scrapedWaiting: 0,
  };

  beforeAll(async () => {
    stack = await startStack('ops', { workers: 2 });
    await untilHealthy(stack.baseUrl);
    let running = true;
    const watchStats = (async () => {
      while (running) {
        const now = await stats(stack.baseUrl);
        during.maxActive = Math.max(during.maxActive, now.counts['active'] ?? 0);
        during.maxWaiting = Math.max(during.maxWaiting, now.counts['waiting'] ?? 0);
        during.busyWorkers = Math.max(
          during.busyWorkers,
          now.workers.filter((worker) => worker.current_jobs.length > 0).length,
        );
        const byPriorityWaiting = Object.values(now.by_priority).reduce((sum, level) => sum + level.waiting, 0);
        if (byPriorityWaiting !== now.counts['waiting']) during.waitingConsistent = false;
        if ((now.counts['waiting'] ?? 0) > 0 && now.oldest_waiting_age_seconds !== null) during.oldestSeen = true;
        for (const worker of now.workers) for (const id of worker.current_jobs) currentSeen.add(id);
      }
    })();
    const watchMetrics = (async () => {
      while (running) {
        const text = await scrape(stack.baseUrl);
        during.scrapedActive = Math.max(during.scrapedActive, metric(text, 'stream_active_jobs') ?? 0);
        during.scrapedWaiting = Math.max(
          during.scrapedWaiting,
          metric(text, 'stream_queue_jobs{state="waiting"}') ?? 0,
        );
      }
    })();
    try {
      const submitted = await Promise.all(
        BATCH.map((fields, index) => submit(stack.baseUrl, wav, `track-${index}.wav`, fields)),
      );
      for (const result of submitted) {
        expect(result.status).toBe(200);
        jobIds.push(String(result.body['job_id']));
      }
      const finished = await Promise.all(jobIds.map((id) => waitForJob(stack.baseUrl, id)));
      expect(finished.map((job) => job.status)).toEqual(BATCH.map(() => 'Completed'));
    } finally {
      running = false;
      await Promise.all([watchStats, watchMetrics]);
    }
  });

  afterAll(async () => {
    await second?.stop();
    await stack?.stop();
  });

  it('shows the batch waiting and running on both workers while it runs', () => {
    expect(during.maxActive).toBeGreaterThan(0);
    expect(during.maxWaiting).toBeGreaterThan(0);
    expect(during.busyWorkers).toBe(2);
    expect(during.waitingConsistent).toBe(true);
    expect(during.oldestSeen).toBe(true);
    expect(currentSeen.size).toBeGreaterThan(1);
    for (const id of currentSeen) expect(jobIds).toContain(id);
    expect(during.scrapedActive).toBeGreaterThan(0);
    expect(during.scrapedWaiting).toBeGreaterThan(0);
  });

  it('reads the finished batch in /v1/stream/queue/stats', async () => {
    const after = await stats(stack.baseUrl);
    expect(after.counts).toMatchObject({ waiting: 0, active: 0, delayed: 0, completed: BATCH.length, failed: 0 });
    expect(after.by_priority).toEqual({
      urgent: { waiting: 0, active: 0 },
      normal: { waiting: 0, active: 0 },
      background: { waiting: 0, active: 0 },
    });
    expect(after.throughput).toEqual({
      last_1m: BATCH.length,
      last_5m: BATCH.length,
      last_15m: BATCH.length,
      failed: { last_1m: 0, last_5m: 0, last_15m: 0 },
    });
    expect(after.oldest_waiting_age_seconds).toBeNull();
    expect(after.workers.map((worker) => worker.id).sort()).toEqual(stack.workers.map((worker) => worker.id).sort());
    for (const worker of after.workers) {
      expect(worker).toMatchObject({ concurrency: 1, current_jobs: [] });
      expect(worker.codecs).toEqual(expect.arrayContaining(['aac', 'mp3']));
    }
    expect(Date.now() - Date.parse(after.generated_at)).toBeLessThan(10_000);
  });

  it('counts the batch in /metrics: per codec, histograms, queue and fleet gauges, HTTP by route', async () => {
    const text = await scrape(stack.baseUrl);
    for (const codec of ['aac', 'mp3']) {
      expect(metric(text, `stream_jobs_completed_total{codec="${codec}"}`)).toBe(3);
      expect(metric(text, `stream_job_duration_seconds_count{codec="${codec}"}`)).toBe(3);
      expect(metric(text, `stream_job_duration_seconds_bucket{codec="${codec}",le="+Inf"}`)).toBe(3);
      expect(metric(text, `stream_job_realtime_factor_count{codec="${codec}"}`)).toBe(3);
      // Every clip is 2 s of audio, so a job is at most realtime (factor ≤ 1) exactly
      // when its attempt took 2 s or more: the two histograms must agree, job by job,
      // however fast this machine is.
      expect(
        (metric(text, `stream_job_realtime_factor_bucket{codec="${codec}",le="1"}`) ?? NaN) +
          (metric(text, `stream_job_duration_seconds_bucket{codec="${codec}",le="2"}`) ?? NaN),
      ).toBe(3);
      expect(metric(text, `stream_job_duration_seconds_sum{codec="${codec}"}`)).toBeGreaterThan(0);
    }
    expect(metric(text, 'stream_queue_jobs{state="completed"}')).toBe(BATCH.length);
    expect(metric(text, 'stream_active_jobs')).toBe(0);
    expect(metric(text, 'stream_workers_online')).toBe(2);
    expect(metric(text, 'stream_worker_slots')).toBe(2);
    expect(metric(text, 'stream_queue_jobs_by_priority{priority="urgent",state="waiting"}')).toBe(0);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    // Routes are patterns: many job reads, one series, no job id anywhere.
    expect(
      metric(text, 'stream_http_request_duration_seconds_count{method="GET",route="/v1/stream/job/:id",status="200"}'),
    ).toBeGreaterThan(BATCH.length);
    expect(
      metric(
        text,
        'stream_http_request_duration_seconds_count{method="POST",route="/v1/stream/transcode",status="200"}',
      ),
    ).toBe(BATCH.length);
    for (const id of jobIds) expect(text).not.toContain(id);
  });

  it('gives a second API instance on the same Redis the same fleet numbers', async () => {
    second = createApiServer(stack.config, silentLogger);
    const otherUrl = `http://127.0.0.1:${await second.start()}`;
    await untilHealthy(otherUrl);
    const [mine, theirs] = await Promise.all([scrape(stack.baseUrl), scrape(otherUrl)]);
    expect(fleetLines(theirs).length).toBeGreaterThan(10);
    expect(fleetLines(theirs)).toEqual(fleetLines(mine));
    expect(metric(theirs, 'stream_workers_online')).toBe(2);
    const [a, b] = await Promise.all([stats(stack.baseUrl), stats(otherUrl)]);
    expect({ ...b, generated_at: null }).toEqual({ ...a, generated_at: null });
  });

  it('lists the newest jobs at /v1/stream/jobs, with a state filter and checked parameters', async () => {
    const all = await readJson(await fetch(`${stack.baseUrl}/v1/stream/jobs`));
    const jobs = all['jobs'] as Array<Record<string, unknown>>;
    expect(jobs.map((job) => job['id']).sort()).toEqual([...jobIds].sort());
    const created = jobs.map((job) => Date.parse(String(job['created_at'])));
    expect(created).toEqual([...created].sort((x, y) => y - x));
    expect(jobs[0]).toMatchObject({ status: 'Completed', progress: 100 });

    const two = await readJson(await fetch(`${stack.baseUrl}/v1/stream/jobs?limit=2&state=completed`));
    expect(two['jobs']).toHaveLength(2);
    const none = await readJson(await fetch(`${stack.baseUrl}/v1/stream/jobs?state=failed`));
    expect(none['jobs']).toEqual([]);

    for (const [query, code] of [
      ['limit=0', 'INVALID_LIMIT'],
      ['limit=101', 'INVALID_LIMIT'],
      ['limit=ten', 'INVALID_LIMIT'],
      ['state=done', 'INVALID_STATE'],
      ['state=waiting&state=active', 'INVALID_STATE'],
    ] as const) {
      const response = await fetch(`${stack.baseUrl}/v1/stream/jobs?${query}`);
      expect(response.status).toBe(400);
      expect(await readJson(response)).toMatchObject({ code });
    }
  });

  it('serves bull-board at /admin/queues with a CSP of its own on that path only', async () => {
    const page = await fetch(`${stack.baseUrl}/admin/queues`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("style-src 'self' 'unsafe-inline' https://fonts.googleapis.com");
    expect(csp).toContain("script-src 'self';");
    expect(await page.text()).toContain('static/js/');
    const api = await readJson(
      await fetch(`${stack.baseUrl}/admin/queues/api/queues?activeQueue=transcode&status=completed&page=1`),
    );
    const queues = api['queues'] as Array<{ name: string; counts: Record<string, number> }>;
    expect(queues.map((queue) => queue.name)).toContain('transcode');
    expect(queues.find((queue) => queue.name === 'transcode')?.counts['completed']).toBe(BATCH.length);
    const elsewhere = await fetch(`${stack.baseUrl}/v1/stream/queue/stats`);
    expect(elsewhere.headers.get('content-security-policy')).not.toContain('fonts.googleapis.com');
    // The board is a sub-app: its requests are one route label, not "unmatched".
    expect(
      metric(
        await scrape(stack.baseUrl),
        'stream_http_request_duration_seconds_count{method="GET",route="/admin/queues/*",status="200"}',
      ),
    ).toBe(2);
  });
});

describe('ops routes with auth on', () => {
  const API_KEY = 'ops-api-key-0123456789abcdef';
  const JWT_SECRET = 'ops-jwt-secret-0123456789abcdef0123456789';
  let stack: TestStack;

  const jwt = (scope: string): Promise<string> =>
    new SignJWT({ sub: 'ops', scope })
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience('stream-server')
      .setExpirationTime(Math.floor(Date.now() / 1000) + 300)
      .sign(new TextEncoder().encode(JWT_SECRET));

  beforeAll(async () => {
    stack = await startStack('ops-auth', { workers: 0, env: { API_KEYS: API_KEY, JWT_SECRET } });
    await untilHealthy(stack.baseUrl);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  async function status(route: string, token?: string): Promise<number> {
    const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
    const response = await fetch(`${stack.baseUrl}${route}`, { headers });
    await response.arrayBuffer();
    return response.status;
  }

  it('needs admin for /metrics and /admin/queues, jobs:read for stats and the listing', async () => {
    const reader = await jwt('jobs:read');
    const admin = await jwt('admin');
    const expected: Array<[string, number, number, number, number]> = [
      // route, no token, jobs:read, admin, API key
      ['/metrics', 401, 403, 200, 200],
      ['/admin/queues', 401, 403, 200, 200],
      ['/admin/queues/api/queues', 401, 403, 200, 200],
      ['/v1/stream/queue/stats', 401, 200, 403, 200],
      ['/v1/stream/jobs', 401, 200, 403, 200],
    ];
    const seen: Array<[string, number, number, number, number]> = [];
    for (const [route] of expected) {
      seen.push([
        route,
        await status(route),
        await status(route, reader),
        await status(route, admin),
        await status(route, API_KEY),
      ]);
    }
    expect(seen).toEqual(expected);
  });

  it('answers refusals as JSON with a Bearer challenge', async () => {
    const response = await fetch(`${stack.baseUrl}/metrics`, {
      headers: { Authorization: `Bearer ${await jwt('jobs:read')}` },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('scope="admin"');
    expect(await readJson(response)).toMatchObject({ code: 'INSUFFICIENT_SCOPE' });
  });
});

describe('JSON logs of a request and a job', () => {
  type Line = Record<string, unknown>;
  const written: string[] = [];
  let stack: TestStack;
  let jobId: string;

  beforeAll(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written.push(chunk.toString('utf8'));
        done();
      },
    });
    stack = await startStack('ops-logs', {
      workers: 1,
      logger: createWinstonLogger({ level: 'debug', service: 'stream', stream }),
    });
    const submitted = await submit(stack.baseUrl, wav, 'tone.wav', { codec: 'opus' });
    jobId = String(submitted.body['job_id']);
    await waitForJob(stack.baseUrl, jobId);
    const read = await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}?token=query-secret-123`, {
      headers: { Authorization: 'Bearer header-secret-456', 'X-Request-Id': 'ops-log-check' },
    });
    expect(read.status).toBe(200);
    await stack.stop();
  });

  const lines = (): Line[] =>
    written
      .flatMap((text) => text.split('\n'))
      .filter((text) => text.startsWith('{'))
      .map((text): Line => readLine(text));

  function readLine(text: string): Line {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? Object.fromEntries(Object.entries(value)) : {};
  }

  it('writes one line per request with route, status, duration and request id', () => {
    const requests = lines().filter((line) => line['message'] === 'request');
    const submitLine = requests.find((line) => line['route'] === '/v1/stream/transcode');
    expect(submitLine).toMatchObject({
      method: 'POST',
      status: 200,
      request_id: expect.any(String),
      duration_ms: expect.any(Number),
    });
    const readLines = requests.filter((line) => line['request_id'] === 'ops-log-check');
    expect(readLines).toHaveLength(1);
    expect(readLines[0]).toMatchObject({ method: 'GET', route: '/v1/stream/job/:id', status: 200 });
    // Lines logged while handling the submit carry its request id.
    expect(lines().find((line) => line['message'] === 'job queued')).toMatchObject({
      request_id: submitLine?.['request_id'],
      job_id: jobId,
    });
  });

  it("writes the job's state changes and its ffmpeg command with the job id", () => {
    const forJob = lines().filter((line) => line['job_id'] === jobId);
    const messages = forJob.map((line) => line['message']);
    expect(messages).toEqual(expect.arrayContaining(['job queued', 'job active', 'ffmpeg start', 'job completed']));
    expect(forJob.find((line) => line['message'] === 'ffmpeg start')).toMatchObject({
      level: 'debug',
      cmd: expect.stringContaining('libopus'),
    });
    expect(forJob.find((line) => line['message'] === 'job completed')).toMatchObject({
      codec: 'opus',
      duration_ms: expect.any(Number),
      realtime_factor: expect.any(Number),
      media_seconds: 2,
    });
  });

  it('never logs credentials or query strings', () => {
    const all = written.join('');
    expect(all).not.toContain('query-secret-123');
    expect(all).not.toContain('header-secret-456');
  });
});
