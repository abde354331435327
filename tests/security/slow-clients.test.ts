/**
 * Slow and greedy clients are bounded: a trickle is cut (408
 * UPLOAD_TOO_SLOW), one upload over MAX_CONCURRENT_UPLOADS is refused at
 * once (503 + Retry-After), and a client that hangs up mid-upload is
 * logged as such, not as a server fault. Nothing is left on disk.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { silentLogger, type Logger, type LogMeta } from '@stream-server/logger';
import { makeTrack } from '../support/media';
import { waitFor } from '../support/processes';
import { readJson, startStack, type TestStack } from '../support/stack';

const BOUNDARY = 'slowboundary';
const MAX_UPLOADS = 2;

let dir: string;
let stack: TestStack;
let wav: Buffer;
const logged: { level: string; message: string; meta: LogMeta | undefined }[] = [];

const capture: Logger = {
  ...silentLogger,
  debug: (message, meta) => void logged.push({ level: 'debug', message, meta }),
  info: (message, meta) => void logged.push({ level: 'info', message, meta }),
  warn: (message, meta) => void logged.push({ level: 'warn', message, meta }),
  error: (message, meta) => void logged.push({ level: 'error', message, meta }),
  child: () => capture,
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'slow-clients-'));
  wav = await readFile(await makeTrack(dir, 'one', { seconds: 1, sampleRate: 8000, channels: 1 }));
  stack = await startStack('slow-clients', {
    workers: 0,
    logger: capture,
    env: {
      // A floor of 4 KB/s over 1-s windows; idleness alone would take 30 s.
      UPLOAD_MIN_BYTES_PER_SECOND: '4000',
      UPLOAD_RATE_WINDOW_SECONDS: '1',
      UPLOAD_IDLE_TIMEOUT_SECONDS: '30',
      MAX_CONCURRENT_UPLOADS: String(MAX_UPLOADS),
    },
  });
});

afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

afterEach(async () => {
  expect(await stack.settledLeftovers()).toEqual([]);
  expect((await fetch(`${stack.baseUrl}/health`)).status).toBe(200);
});

/** A raw upload: the request head and the start of a multipart body, the rest left to the test. */
function openUpload(totalLength: number): {
  socket: net.Socket;
  answer: Promise<{ status: number; headers: string; body: string }>;
} {
  const { port } = new URL(stack.baseUrl);
  const socket = net.connect(Number(port), '127.0.0.1');
  let data = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (data += chunk));
  socket.on('error', () => undefined); // a reset after the answer is expected
  const answer = new Promise<{ status: number; headers: string; body: string }>((resolve) =>
    socket.once('close', () => {
      const split = data.indexOf('\r\n\r\n');
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0),
        headers: data.slice(0, split),
        body: data.slice(split + 4),
      });
    }),
  );
  socket.write(
    `POST /v1/stream/transcode HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\n` +
      // Connection: close, so the answer ends with the connection; the client
      // never half-closes, which an HTTP server may take as giving up.
      `Content-Length: ${totalLength}\r\nConnection: close\r\n\r\n`,
  );
  return { socket, answer };
}

function multipart(file: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

async function uploadFiles(): Promise<string[]> {
  return readdir(path.join(stack.config.storageDir, 'uploads')).catch(() => []);
}

it('cuts off a trickle that is never idle with 408 UPLOAD_TOO_SLOW, and deletes its file', async () => {
  const body = multipart(wav);
  const { socket, answer } = openUpload(body.length);
  // The first 2 KB at once (the file is opened), then 10 bytes every 100 ms: never idle, far too slow.
  socket.write(body.subarray(0, 2_000));
  let offset = 2_000;
  const trickle = setInterval(() => {
    if (!socket.destroyed && offset < body.length) socket.write(body.subarray(offset, (offset += 10)));
  }, 100);
  const started = Date.now();
  const result = await answer.finally(() => clearInterval(trickle));
  expect(result.status).toBe(408);
  expect(JSON.parse(result.body)).toEqual({ error: expect.stringContaining('bytes'), code: 'UPLOAD_TOO_SLOW' });
  // Within a window or two, not the 30-s idle timeout (a generous bound).
  expect(Date.now() - started).toBeLessThan(10_000);
});

it('lets a steady upload above the floor through', async () => {
  const longer = await readFile(await makeTrack(dir, 'two', { seconds: 2, sampleRate: 8000, channels: 1 }));
  const body = multipart(longer);
  const { socket, answer } = openUpload(body.length);
  // 8 KB every 500 ms = 16 KB/s, four times the floor; about 2 s in all.
  for (let offset = 0; offset < body.length; offset += 8_000) {
    socket.write(body.subarray(offset, offset + 8_000));
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const result = await answer;
  expect(result.status).toBe(200);
  const jobId = String((JSON.parse(result.body) as Record<string, unknown>)['job_id']);
  // Accepted work is the job's now: cancel it so its upload goes too.
  const cancelled = await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`, { method: 'DELETE' });
  expect((await readJson(cancelled))['status']).toBe('Cancelled');
});

it('refuses the upload over MAX_CONCURRENT_UPLOADS at once with 503 and Retry-After', async () => {
  const body = multipart(wav);
  // MAX_UPLOADS uploads in flight, each kept above the floor and never finished.
  const held = Array.from({ length: MAX_UPLOADS }, () => openUpload(body.length + 1_000_000));
  for (const { socket } of held) socket.write(body.subarray(0, 1_000));
  const feed = setInterval(() => {
    for (const { socket } of held) if (!socket.destroyed) socket.write(Buffer.alloc(8_000, 0x61));
  }, 250);
  try {
    await waitFor(
      async () => ((await uploadFiles()).length === MAX_UPLOADS ? true : undefined),
      10_000,
      () => 'uploads',
    );
    const started = Date.now();
    const refused = await fetch(`${stack.baseUrl}/v1/stream/transcode`, {
      method: 'POST',
      body: (() => {
        const form = new FormData();
        form.append('file', new Blob([wav]), 'one.wav');
        return form;
      })(),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
    expect(await readJson(refused)).toEqual({ error: expect.any(String), code: 'TOO_MANY_UPLOADS' });
    expect(Date.now() - started).toBeLessThan(2_000);
    // The refused one stored nothing; the held ones are still there.
    expect(await uploadFiles()).toHaveLength(MAX_UPLOADS);
  } finally {
    clearInterval(feed);
    for (const { socket } of held) socket.destroy();
  }
  // Their slots come back once they are gone.
  await waitFor(
    async () => ((await uploadFiles()).length === 0 ? true : undefined),
    5_000,
    () => 'no uploads',
  );
  const form = new FormData();
  form.append('file', new Blob([wav]), 'one.wav');
  form.append('codec', 'wma'); // refused after the slot check: proves a slot was free
  const after = await fetch(`${stack.baseUrl}/v1/stream/transcode`, { method: 'POST', body: form });
  expect((await readJson(after))['code']).toBe('INVALID_CODEC');
});

it('logs a client that hangs up mid-upload as such, never as INTERNAL_ERROR', async () => {
  logged.length = 0;
  const body = multipart(wav);
  const { socket, answer } = openUpload(body.length);
  socket.write(body.subarray(0, 2_000));
  await waitFor(
    async () => ((await uploadFiles()).length === 1 ? true : undefined),
    5_000,
    () => 'the upload file',
  );
  socket.destroy();
  await answer;
  await waitFor(
    () => (logged.some((entry) => entry.message === 'client aborted the request') ? true : undefined),
    5_000,
    () => `an abort log line in ${JSON.stringify(logged)}`,
  );
  expect(logged.filter((entry) => entry.level === 'error')).toEqual([]);
  expect(logged.find((entry) => entry.message === 'client aborted the request')?.level).toBe('info');
});
