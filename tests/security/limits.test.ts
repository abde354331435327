/**
 * Every limit answers with its own clear error and leaves nothing on disk:
 * size (413), duration / channels / sample rate and form shape (400), an
 * idle (slow-loris) upload (408) — while a slow but steady one still works.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { makeTrack } from '../support/media';
import { readJson, startStack, submit, type TestStack } from '../support/stack';

let dir: string;
let stack: TestStack;
let wav: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'limits-'));
  wav = await readFile(await makeTrack(dir, 'three', { seconds: 3, sampleRate: 8000, channels: 1 }));
  stack = await startStack('limits', {
    workers: 0,
    env: {
      MAX_DURATION_SECONDS: '2',
      MAX_CHANNELS: '2',
      UPLOAD_IDLE_TIMEOUT_SECONDS: '1',
      MAX_UPLOAD_BYTES: '1000000',
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

it('refuses audio longer than MAX_DURATION_SECONDS', async () => {
  const result = await submit(stack.baseUrl, new Blob([wav]), 'three.wav');
  expect(result).toEqual({
    status: 400,
    body: { error: expect.stringContaining('at most 2 s'), code: 'DURATION_TOO_LONG' },
  });
});

it('refuses more channels than MAX_CHANNELS', async () => {
  const six = await readFile(await makeTrack(dir, 'six', { seconds: 1, sampleRate: 8000, channels: 6 }));
  const result = await submit(stack.baseUrl, new Blob([six]), 'six.wav');
  expect(result).toEqual({
    status: 400,
    body: { error: expect.stringContaining('6 channels'), code: 'TOO_MANY_CHANNELS' },
  });
});

it('refuses an upload over MAX_UPLOAD_BYTES with 413', async () => {
  const result = await submit(stack.baseUrl, new Blob([new Uint8Array(1_200_000)]), 'big.wav');
  expect(result.status).toBe(413);
  expect(result.body['code']).toBe('FILE_TOO_LARGE');
});

it.each([
  [
    'too many fields',
    () => Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, 'x'])),
    'TOO_MANY_FIELDS',
  ],
  ['a field over 4 KiB', () => ({ track_id: 'x'.repeat(5_000) }), 'FIELD_TOO_LONG'],
  ['a field name over 100 bytes', () => ({ ['n'.repeat(150)]: 'x' }), 'FIELD_NAME_TOO_LONG'],
])('refuses a form with %s', async (_name, fields, code) => {
  const result = await submit(stack.baseUrl, new Blob([wav]), 'three.wav', fields());
  expect(result.status).toBe(400);
  expect(result.body['code']).toBe(code);
});

/** Opens a multipart upload and sends `chunks` with `gapMs` between them. */
function dribble(
  chunks: Buffer[],
  gapMs: number,
  totalLength: number,
  head: string,
): Promise<{ status: number; body: string; ms: number }> {
  const { port } = new URL(stack.baseUrl);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' || err.code === 'EPIPE' ? undefined : reject(err),
    );
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4), ms: Date.now() - started });
    });
    socket.write(
      `POST /v1/stream/transcode HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${head}Content-Length: ${totalLength}\r\n\r\n`,
    );
    void (async () => {
      for (const chunk of chunks) {
        if (socket.destroyed || data !== '') return;
        socket.write(chunk);
        await new Promise((r) => setTimeout(r, gapMs));
      }
    })();
  });
}

function multipart(file: Buffer): { head: string; body: Buffer } {
  const boundary = 'limitsboundary';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { head: `Content-Type: multipart/form-data; boundary=${boundary}\r\n`, body };
}

it('cuts off an upload that goes silent with 408', async () => {
  const { head, body } = multipart(wav);
  // Sends a third, then nothing: the rest "is coming" forever.
  const result = await dribble([body.subarray(0, Math.floor(body.length / 3))], 10_000, body.length, head);
  expect(result.status).toBe(408);
  expect(JSON.parse(result.body)).toEqual({ error: expect.any(String), code: 'UPLOAD_TIMEOUT' });
  expect(result.ms).toBeLessThan(5_000);
});

it('lets a slow but steady upload through', async () => {
  const short = await readFile(await makeTrack(dir, 'short', { seconds: 1, sampleRate: 8000, channels: 1 }));
  const { head, body } = multipart(short);
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < body.length; offset += 4_000) pieces.push(body.subarray(offset, offset + 4_000));
  const result = await dribble(pieces, 400, body.length, head); // ~2 s in all, never idle 1 s
  expect(result.status).toBe(200);
  const jobId = String((JSON.parse(result.body) as Record<string, unknown>)['job_id']);
  // Accepted work is the job's now: cancel it so its upload goes too.
  const cancelled = await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`, { method: 'DELETE' });
  expect((await readJson(cancelled))['status']).toBe('Cancelled');
});

it('refuses bracketed field names at once (no nested objects from form names)', async () => {
  const started = Date.now();
  const result = await submit(stack.baseUrl, new Blob([wav]), 'three.wav', { 'a[99999999]': 'x', 'a[b]': 'y' });
  expect(result.status).toBe(400);
  expect(result.body['code']).toBe('INVALID_FIELD_NAME');
  expect(Date.now() - started).toBeLessThan(1_000);
});
