/**
 * SIGTERM to an API with an upload that will not finish in time: after
 * SHUTDOWN_GRACE_SECONDS the upload is aborted (503 SHUTTING_DOWN if the
 * client can still read it), its file is deleted and the process exits 0,
 * well before an orchestrator would SIGKILL it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRedis, TranscodeQueue } from '@stream-server/queue';
import { ENTRY, freePort, startProcess, waitFor } from '../support/processes';

const redisUrl = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const GRACE_SECONDS = 2;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'api-grace-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('aborts an upload still arriving after SHUTDOWN_GRACE_SECONDS, deletes it and exits 0', async () => {
  const port = await freePort();
  const prefix = `test-api-grace-${randomUUID().slice(0, 8)}`;
  const storage = path.join(dir, 'data');
  const api = startProcess(ENTRY.api, {
    REDIS_URL: redisUrl,
    STORAGE_DIR: storage,
    QUEUE_PREFIX: prefix,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS),
  });
  const uploads = () => readdir(path.join(storage, 'uploads')).catch(() => [] as string[]);
  let socket: net.Socket | undefined;
  let feed: NodeJS.Timeout | undefined;
  try {
    await waitFor(
      async () =>
        (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.status === 200 ? true : undefined,
      30_000,
      () => `the API (output: ${api.output()})`,
    );

    // A big upload arriving steadily (above any rate floor): it would take far longer than the grace.
    const boundary = 'graceboundary';
    const upload = net.connect(port, '127.0.0.1');
    socket = upload;
    let response = '';
    upload.setEncoding('latin1');
    upload.on('data', (chunk: string) => (response += chunk));
    upload.on('error', () => undefined); // a reset once the API is gone is expected
    const closed = new Promise<void>((resolve) => upload.once('close', () => resolve()));
    upload.write(
      `POST /v1/stream/transcode HTTP/1.1\r\nHost: localhost\r\n` +
        `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 100000000\r\n\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.wav"\r\n\r\n`,
    );
    feed = setInterval(() => {
      if (!upload.destroyed) upload.write(Buffer.alloc(64 * 1024, 0x61));
    }, 100);
    await waitFor(
      async () => ((await uploads()).length === 1 ? true : undefined),
      10_000,
      () => 'the upload file',
    );

    const signalled = Date.now();
    api.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
    const took = Date.now() - signalled;
    expect(took).toBeGreaterThanOrEqual(GRACE_SECONDS * 1000 - 200);
    expect(took).toBeLessThan((GRACE_SECONDS + 8) * 1000);
    expect(await uploads()).toEqual([]);
    await closed;
    // When the answer got through before the socket went, it says why.
    if (response !== '') {
      expect(response).toMatch(/^HTTP\/1\.1 503 /);
      expect(response).toMatch(/\r\nRetry-After: \d+\r\n/i);
      expect(response).toContain('"code":"SHUTTING_DOWN"');
    }
    expect(api.output()).not.toMatch(/"level":"error"/);
  } finally {
    clearInterval(feed);
    socket?.destroy();
    if (api.child.exitCode === null) api.child.kill('SIGKILL');
    const redis = createRedis({ kind: 'single', url: redisUrl }, 'worker');
    const queue = new TranscodeQueue(redis, { prefix, attempts: 1, retentionDays: 1 });
    await queue.obliterate().finally(async () => {
      await queue.close();
      await redis.quit();
    });
  }
});
