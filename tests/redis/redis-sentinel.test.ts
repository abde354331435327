/**
 * The service on a master + replica watched by a sentinel
 * (REDIS_SENTINELS): the master is SIGKILLed with jobs queued and one
 * running; while the sentinel promotes the replica every answer is a 200
 * or a 503 JSON; afterwards the API and the worker follow the new master
 * on their own, and every job queued before, during and after completes.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeTrack } from '../support/media';
import { waitFor } from '../support/processes';
import { redisCli, startRedisSentinel, type TestRedisSentinel } from '../support/redis-topology';
import { startStack, submit, waitForJob, type TestStack } from '../support/stack';

let dir: string;
let track: Blob;
let sentinel: TestRedisSentinel;
let stack: TestStack;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'redis-sentinel-'));
  track = new Blob([await readFile(await makeTrack(dir, 'track', { seconds: 45 }))]);
  sentinel = await startRedisSentinel();
  stack = await startStack('sentinel', {
    workers: 1,
    env: { REDIS_SENTINELS: sentinel.sentinels, REDIS_SENTINEL_NAME: sentinel.name },
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop().catch(() => undefined);
  await sentinel?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface Answer {
  readonly what: string;
  readonly status: number | 'no answer';
  readonly code?: unknown;
}

async function ask(what: string, request: () => Promise<Response>): Promise<Answer> {
  try {
    const res = await request();
    const text = await res.text();
    let code: unknown;
    if (res.status >= 400) {
      const parsed: unknown = JSON.parse(text);
      code = typeof parsed === 'object' && parsed !== null && 'code' in parsed ? parsed.code : 'not JSON';
    }
    return { what, status: res.status, code };
  } catch {
    return { what, status: 'no answer' };
  }
}

it('follows a failover: only 200s and 503s meanwhile, every job completes', async () => {
  const before: string[] = [];
  for (let i = 0; i < 3; i++) {
    const upload = await submit(stack.baseUrl, track, `before-${i}.wav`);
    expect(upload.status).toBe(200);
    before.push(String(upload.body['job_id']));
  }
  await waitFor(
    async () =>
      ((await fetch(`${stack.baseUrl}/v1/stream/job/${before[0]}`).then((r) => r.json())) as { status: string })
        .status === 'Processing'
        ? true
        : undefined,
    30_000,
    () => 'the first job to start',
  );
  // Acknowledged writes reach the replica before the crash: replication is asynchronous (see the README).
  expect(Number(await redisCli(sentinel.master.port, 'WAIT', '1', '2000'))).toBe(1);

  const answers: Answer[] = [];
  const during: string[] = [];
  let probing = true;
  const probe = (async () => {
    while (probing) {
      answers.push(await ask('status', () => fetch(`${stack.baseUrl}/v1/stream/job/${before[1]}`)));
      answers.push(await ask('stats', () => fetch(`${stack.baseUrl}/v1/stream/queue/stats`)));
      const form = new FormData();
      form.append('file', track, 'during.wav');
      const posted = await ask('submit', async () => {
        const res = await fetch(`${stack.baseUrl}/v1/stream/transcode`, { method: 'POST', body: form });
        if (res.status === 200) {
          const body = (await res.clone().json()) as { job_id: string };
          during.push(body.job_id);
        }
        return res;
      });
      answers.push(posted);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();

  sentinel.master.kill();
  await waitFor(
    async () => ((await sentinel.masterPort().catch(() => 0)) === sentinel.replica.port ? true : undefined),
    30_000,
    () => 'the sentinel to promote the replica',
  );
  // The API answers again on its own: a submit through the new master.
  await waitFor(
    async () => ((await submit(stack.baseUrl, track, 'after.wav')).status === 200 ? true : undefined),
    30_000,
    () => 'a submit to succeed after the failover',
  );
  probing = false;
  await probe;

  const after: string[] = [];
  for (let i = 0; i < 2; i++) {
    const upload = await submit(stack.baseUrl, track, `after-${i}.wav`);
    expect(upload.status).toBe(200);
    after.push(String(upload.body['job_id']));
  }

  const unexpected = answers.filter((a) => a.status !== 200 && !(a.status === 503 && typeof a.code === 'string'));
  expect(unexpected).toEqual([]);
  expect(answers.some((a) => a.status === 503)).toBe(true);

  for (const id of [...before, ...during, ...after]) {
    const job = await waitForJob(stack.baseUrl, id, 120_000);
    expect({ id, status: job.status }).toEqual({ id, status: 'Completed' });
  }
}, 240_000);
