/**
 * GET /v1/stream/job/{id}/events: live progress over Server-Sent Events,
 * watched over real HTTP against the real API, workers, Redis and ffmpeg.
 */
import http from 'node:http';
import { mkdtemp, readFile, rm, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApiServer } from '@stream-server/api';
import { silentLogger } from '@stream-server/logger';
import { createWorkerApp } from '@stream-server/worker';
import { makeTrack } from '../support/media';
import { readJson, startStack, submit, type TestStack } from '../support/stack';

interface SseEvent {
  readonly id: string | null;
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/** One SSE response read with raw http: events as they come, comments counted. */
interface Watch {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly events: SseEvent[];
  comments: number;
  /** Resolves when the server ends the response. */
  readonly ended: Promise<void>;
  /** Resolves with the first event of that name. */
  next(name: string, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

function watch(baseUrl: string, jobId: string, agent?: http.Agent): Promise<Watch> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${baseUrl}/v1/stream/job/${jobId}/events`, { agent: agent ?? false }, (response) => {
      const events: SseEvent[] = [];
      const waiters: Array<() => boolean> = [];
      let buffer = '';
      let resolveEnded: () => void = () => undefined;
      const ended = new Promise<void>((done) => {
        resolveEnded = done;
      });
      const result: Watch = {
        status: response.statusCode ?? 0,
        headers: response.headers,
        events,
        comments: 0,
        ended,
        next: (name, timeoutMs = 20_000) =>
          new Promise((found, fail) => {
            const timer = setTimeout(
              () =>
                fail(new Error(`no ${name} event within ${timeoutMs} ms; got ${events.map((e) => e.event).join(',')}`)),
              timeoutMs,
            );
            const check = () => {
              const event = events.find((candidate) => candidate.event === name);
              if (!event) return false;
              clearTimeout(timer);
              found(event);
              return true;
            };
            if (!check()) waiters.push(check);
          }),
        close: () => request.destroy(),
      };
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let split = buffer.indexOf('\n\n');
        while (split >= 0) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          split = buffer.indexOf('\n\n');
          if (block.startsWith(':')) {
            result.comments += 1;
            continue;
          }
          const fields = new Map<string, string>();
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
          }
          const parsed: unknown = JSON.parse(fields.get('data') ?? 'null');
          events.push({
            id: fields.get('id') ?? null,
            event: fields.get('event') ?? 'message',
            data: typeof parsed === 'object' && parsed !== null ? Object.fromEntries(Object.entries(parsed)) : {},
          });
          for (const waiter of waiters.splice(0)) if (!waiter()) waiters.push(waiter);
        }
      });
      response.on('end', resolveEnded);
      response.on('close', resolveEnded);
      resolve(result);
    });
    request.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let dir: string;
let shortTrack: Blob;
let longTrack: Blob;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'job-events-'));
  shortTrack = new Blob([await readFile(await makeTrack(dir, 'short', { seconds: 2 }))]);
  longTrack = new Blob([
    await readFile(await makeTrack(dir, 'long', { seconds: 240, channels: 1, sampleRate: 22_050 })),
  ]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function submitted(
  stack: TestStack,
  track: Blob,
  name: string,
  fields: Record<string, string> = {},
): Promise<string> {
  const { status, body } = await submit(stack.baseUrl, track, name, fields);
  if (status !== 200) throw new Error(`submit answered ${status}: ${JSON.stringify(body)}`);
  return String(body['job_id']);
}

describe('one worker', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack('job-events', { workers: 1 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('streams a job from submit to completion: state, rising progress, completed with the full body, then the end', async () => {
    const jobId = await submitted(stack, longTrack, 'long.wav', { codec: 'opus' });
    const stream = await watch(stack.baseUrl, jobId);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream');
    expect(stream.headers['cache-control']).toBe('no-cache');
    expect(stream.headers['x-accel-buffering']).toBe('no');

    const completed = await stream.next('completed', 40_000);
    await stream.ended;
    const names = stream.events.map((event) => event.event);
    expect(names[0]).toBe('state');
    expect(names[names.length - 1]).toBe('completed');
    expect(names.filter((name) => name === 'completed')).toHaveLength(1);
    expect(stream.events[0]?.data).toMatchObject({
      id: jobId,
      status: expect.stringMatching(/^(Pending|Processing)$/),
    });

    const progress = stream.events.filter((event) => event.event === 'progress').map((event) => event.data['progress']);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (const [index, value] of progress.entries()) {
      expect(typeof value).toBe('number');
      if (index > 0) expect(Number(value)).toBeGreaterThan(Number(progress[index - 1]));
    }
    expect(stream.events.find((event) => event.event === 'progress')?.data).toEqual({
      job_id: jobId,
      progress: progress[0],
    });

    // The terminal event carries exactly what GET /v1/stream/job/{id} answers.
    const body = await readJson(await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`));
    expect(completed.data).toEqual(body);
    expect(completed.data).toMatchObject({
      status: 'Completed',
      progress: 100,
      manifest_url: `/v1/stream/hls/${jobId}/index.m3u8`,
    });
    // Every event has an id, increasing.
    const ids = stream.events.map((event) => Number(event.id));
    expect(ids).toEqual(ids.map((_, index) => index + 1));

    // Already finished: state, then the matching terminal event, then the end.
    const again = await watch(stack.baseUrl, jobId);
    await again.ended;
    expect(again.events.map((event) => event.event)).toEqual(['state', 'completed']);
    expect(again.events[1]?.data).toEqual(body);
  }, 50_000);

  it('ends with cancelled when a running job is cancelled', async () => {
    const running = await submitted(stack, longTrack, 'long.wav', { codec: 'opus' });
    const stream = await watch(stack.baseUrl, running);
    await stream.next('progress');
    expect((await fetch(`${stack.baseUrl}/v1/stream/job/${running}`, { method: 'DELETE' })).status).toBe(200);
    const cancelled = await stream.next('cancelled', 5_000);
    await stream.ended;
    expect(cancelled.data).toMatchObject({ id: running, status: 'Cancelled' });
    expect(stream.events.filter((event) => ['completed', 'failed', 'cancelled'].includes(event.event))).toHaveLength(1);
  }, 30_000);

  it('answers 404 JSON for an unknown job and 400 for a malformed id, before any stream starts', async () => {
    const unknown = await fetch(`${stack.baseUrl}/v1/stream/job/9b2f8a7e-1111-4222-8333-944455556666/events`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await unknown.json()).toMatchObject({ code: 'JOB_NOT_FOUND' });
    const malformed = await fetch(`${stack.baseUrl}/v1/stream/job/not-a-uuid/events`);
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: 'INVALID_JOB_ID' });
  });
});

describe('1,000 idle streams on one API instance', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // No worker at first: the jobs wait while the streams are opened.
    stack = await startStack('job-events-many', {
      workers: 0,
      env: { SHUTDOWN_GRACE_SECONDS: '0', SSE_HEARTBEAT_SECONDS: '1' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('serves them all with keep-alives, still delivers cancels, completions and failures, and ends them all on stop', async () => {
    // A job whose upload vanishes before a worker takes it fails in the worker.
    const doomed = await submitted(stack, shortTrack, 'doomed.wav', { priority: 'urgent' });
    const [upload] = await stack.leftovers();
    await unlink(path.join(stack.config.storageDir, String(upload)));
    const dropped = await submitted(stack, shortTrack, 'dropped.wav');
    const quick = await submitted(stack, shortTrack, 'quick.wav', { priority: 'urgent' });
    const idle = await submitted(stack, longTrack, 'idle.wav', { priority: 'background' });

    // A second API instance of its own holds the streams (the stack's serves the
    // submits and cancels): events cross instances through Redis, and this one
    // is stopped once, here.
    const api = createApiServer(stack.config, silentLogger);
    const streamsUrl = `http://127.0.0.1:${await api.start()}`;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1_000 });
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const rssBefore = process.memoryUsage().rss;
    const started = Date.now();
    const streams = await Promise.all(
      Array.from({ length: 1_000 }, (_, index) =>
        watch(streamsUrl, index === 0 ? doomed : index === 1 ? dropped : index < 11 ? quick : idle, agent),
      ),
    );
    await Promise.all(streams.map((stream) => stream.next('state', 15_000)));
    const openMs = Date.now() - started;
    const rssGrowthMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    expect(streams.every((stream) => stream.status === 200 && stream.events[0]?.data['status'] === 'Pending')).toBe(
      true,
    );
    // Client and server share this process: the growth is both sides of 1,000 sockets.
    expect(rssGrowthMb).toBeLessThan(200);

    // Left idle for a while: the shared heartbeat (1 s here) reaches every stream,
    // and the event loop stays responsive (measured from here: opening 2 × 1,000
    // sockets in one process is a burst of its own).
    delay.reset();
    await sleep(1_200);
    expect(streams.filter((stream) => stream.comments === 0)).toHaveLength(0);

    // A waiting job that is cancelled leaves the queue (BullMQ 'removed'): its stream ends with cancelled.
    expect((await fetch(`${stack.baseUrl}/v1/stream/job/${dropped}`, { method: 'DELETE' })).status).toBe(200);
    expect((await streams[1]?.next('cancelled', 5_000))?.data).toMatchObject({ id: dropped, status: 'Cancelled' });
    await streams[1]?.ended;

    delay.disable();
    const p99Ms = delay.percentile(99) / 1e6;
    expect(p99Ms).toBeLessThan(100);

    // Work starts: the two urgent jobs end, their streams hear it; the idle ones stay open.
    const worker = createWorkerApp(stack.config, silentLogger);
    stack.workers.push(worker);
    await worker.start();
    const failed = await streams[0]?.next('failed');
    expect(failed?.data).toMatchObject({ id: doomed, status: expect.stringMatching(/^Failed\(.*missing/) });
    for (const stream of streams.slice(2, 11)) {
      const completed = await stream.next('completed');
      expect(completed.data).toMatchObject({ id: quick, status: 'Completed' });
      await stream.ended;
    }
    const open = streams
      .slice(11)
      .filter((stream) => !stream.events.some((event) => event.event !== 'state' && event.event !== 'progress'));
    expect(open).toHaveLength(989);

    // Stopping the API ends every open stream instead of hanging on them.
    const stopStarted = Date.now();
    await api.stop();
    await Promise.all(streams.map((stream) => stream.ended));
    const stopMs = Date.now() - stopStarted;
    expect(stopMs).toBeLessThan(5_000);
    agent.destroy();
    process.stdout.write(
      `1,000 SSE streams: opened in ${openMs} ms, rss +${rssGrowthMb.toFixed(0)} MB, event loop p99 ${p99Ms.toFixed(1)} ms, stop ${stopMs} ms\n`,
    );
  }, 40_000);
});
