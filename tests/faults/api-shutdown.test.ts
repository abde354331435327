/**
 * SIGTERM to a busy API: it stops accepting connections, finishes the
 * upload in flight (which is queued, not lost), closes Redis and exits 0.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRedis, TranscodeQueue } from '@stream-server/queue';
import { makeTrack } from '../support/media';
import { ENTRY, freePort, startProcess, waitFor } from '../support/processes';

const redisUrl = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'api-shutdown-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('finishes an upload in flight after SIGTERM, then exits 0', async () => {
  const wav = await readFile(await makeTrack(dir, 'tone', { seconds: 10 }));
  const port = await freePort();
  const prefix = `test-api-stop-${randomUUID().slice(0, 8)}`;
  const api = startProcess(ENTRY.api, {
    REDIS_URL: redisUrl,
    STORAGE_DIR: path.join(dir, 'data'),
    QUEUE_PREFIX: prefix,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  });
  await waitFor(
    async () => ((await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.status === 200 ? true : undefined),
    30_000,
    () => `the API (output: ${api.output()})`,
  );

  const boundary = 'shutdownboundary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="tone.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const body = Buffer.concat([head, wav, tail]);
  const socket = net.connect(port, '127.0.0.1');
  let response = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (response += chunk));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(
    `POST /v1/stream/transcode HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${body.length}\r\n\r\n`,
  );
  const half = Math.floor(body.length / 2);
  socket.write(body.subarray(0, half));
  await new Promise((resolve) => setTimeout(resolve, 300));

  api.child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 300));
  // No new connection is taken any more…
  const refused = await fetch(`http://127.0.0.1:${port}/health`).then(
    () => false,
    () => true,
  );
  expect(refused).toBe(true);
  // …but the upload already under way completes.
  socket.write(body.subarray(half));
  expect(await api.exited).toBe(0);
  await closed;
  expect(response).toMatch(/^HTTP\/1\.1 200 OK/);
  const jobId = /"job_id":"([0-9a-f-]{36})"/.exec(response)?.[1];
  expect(jobId).toBeDefined();

  const redis = createRedis({ kind: 'single', url: redisUrl }, 'worker');
  const queue = new TranscodeQueue(redis, { prefix, attempts: 1, retentionDays: 1 });
  try {
    expect((await queue.get(String(jobId)))?.state).toMatch(/waiting|prioritized/);
  } finally {
    await queue.obliterate();
    await queue.close();
    await redis.quit();
  }
});
