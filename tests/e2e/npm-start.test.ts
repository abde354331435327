/**
 * `npm start`'s process (the built apps/stack entry point), as a user runs
 * it: with no Redis at REDIS_URL it starts its own with AOF on, serves the
 * seed's workflow, and shuts everything down cleanly on SIGTERM.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pingRedis } from '@stream-server/queue';
import { makeTrack } from '../support/media';
import { ENTRY, freePort, startProcess, waitFor } from '../support/processes';
import { submit, waitForJob } from '../support/stack';

let dir: string;

beforeAll(async () => {
  if (!existsSync(ENTRY.stack)) throw new Error(`${ENTRY.stack} is missing: run "npm run build" (npm test does) first`);
  dir = await mkdtemp(path.join(os.tmpdir(), 'npm-start-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = (env: Record<string, string>) => startProcess(ENTRY.stack, env);

it('starts an embedded AOF Redis when none answers, serves a job, and stops cleanly', async () => {
  const redisPort = await freePort();
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const storage = path.join(dir, 'data');
  const stack = run({
    REDIS_URL: redisUrl,
    STORAGE_DIR: storage,
    PORT: '0',
    HOST: '127.0.0.1',
    QUEUE_PREFIX: 'npmstart',
  });
  try {
    const port = await waitFor(
      () => /ready on http:\/\/localhost:(\d+)/.exec(stack.output())?.[1],
      30_000,
      () => `the ready line (output so far: ${stack.output()})`,
    );
    expect(stack.output()).toContain('embedded redis-server');
    const baseUrl = `http://127.0.0.1:${port}`;
    expect((await fetch(`${baseUrl}/health`)).status).toBe(200);

    const wav = await makeTrack(dir, 'tone', { seconds: 3 });
    const upload = await submit(baseUrl, new Blob([await readFile(wav)]), 'tone.wav');
    expect(upload.status).toBe(200);
    const job = await waitForJob(baseUrl, String(upload.body['job_id']));
    expect(job.status).toBe('Completed');

    stack.child.kill('SIGTERM');
    expect(await stack.exited).toBe(0);
    // The embedded Redis went down with it, after writing its AOF.
    expect(await pingRedis(redisUrl, 500)).toBe(false);
    const redisFiles = await readdir(path.join(storage, 'redis'));
    expect(redisFiles.some((name) => name.startsWith('appendonly'))).toBe(true);
  } finally {
    stack.child.kill('SIGKILL');
  }
});

it('exits with one clear line when no Redis answers and none may be started', async () => {
  const redisPort = await freePort();
  const stack = run({
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    EMBEDDED_REDIS: 'false',
    STORAGE_DIR: path.join(dir, 'none'),
    PORT: '0',
  });
  expect(await stack.exited).toBe(1);
  expect(stack.output().trim()).toMatch(/^No Redis answers at redis:\/\/127\.0\.0\.1:\d+: .*REDIS_URL\.$/);
});

it('refuses an invalid configuration with the variable named', async () => {
  const stack = run({ PORT: 'eighty', STORAGE_DIR: path.join(dir, 'bad') });
  expect(await stack.exited).toBe(1);
  expect(stack.output()).toContain('PORT');
});
