/**
 * Bad input, black box: every case answers 4xx with `{ error, code }`,
 * the server stays healthy, and nothing is left under uploads/ or tmp/.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { makeTrack } from '../support/media';
import { readJson, startStack, submit, type TestStack } from '../support/stack';

const MAX_UPLOAD_BYTES = 300_000;

let stack: TestStack;
let fixtures: string;
let wav: Blob;

beforeAll(async () => {
  fixtures = await mkdtemp(path.join(os.tmpdir(), 'bad-input-'));
  // 1 s of 44.1 kHz stereo 16-bit: ~176 KB, under the test's upload limit.
  wav = new Blob([await readFile(await makeTrack(fixtures, 'ok', { seconds: 1 }))]);
  stack = await startStack('bad-input', { workers: 0, env: { MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) } });
});

afterAll(async () => {
  await stack?.stop();
  await rm(fixtures, { recursive: true, force: true });
});

afterEach(async () => {
  expect(await stack.settledLeftovers()).toEqual([]);
  const health = await fetch(`${stack.baseUrl}/health`);
  expect(health.status).toBe(200);
});

function expectError(result: { status: number; body: Record<string, unknown> }, status: number, code: string) {
  expect(result.status).toBe(status);
  expect(result.body).toEqual({ error: expect.any(String), code });
  expect(String(result.body['error']).length).toBeGreaterThan(10);
  expect(JSON.stringify(result.body)).not.toMatch(/at .+\.(ts|js):\d+|\/tmp\/|node_modules/);
}

async function post(body: string | FormData, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.baseUrl}/v1/stream/transcode`, { method: 'POST', body, headers });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { raw: text };
  }
  return { status: response.status, body: parsed };
}

describe('the upload itself', () => {
  it('refuses a form without a file', async () => {
    const form = new FormData();
    form.append('quality_profile', 'high');
    expectError(await post(form), 400, 'MISSING_FILE');
  });

  it('refuses a body that is not multipart', async () => {
    expectError(await post(JSON.stringify({ file: 'x' }), { 'content-type': 'application/json' }), 400, 'MISSING_FILE');
  });

  it('refuses an empty file', async () => {
    expectError(await submit(stack.baseUrl, new Blob([]), 'empty.wav'), 400, 'EMPTY_FILE');
  });

  it('refuses random bytes', async () => {
    const bytes = new Uint8Array(50_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 251;
    expectError(await submit(stack.baseUrl, new Blob([bytes]), 'noise.mp3'), 400, 'INVALID_AUDIO');
  });

  it('refuses a text file', async () => {
    const result = await submit(stack.baseUrl, new Blob(['hello, this is not audio\n'.repeat(100)]), 'notes.wav');
    expect(result.status).toBe(400);
    expect(['INVALID_AUDIO', 'UNSUPPORTED_FORMAT']).toContain(result.body['code']);
  });

  it('refuses an HLS playlist disguised as audio', async () => {
    const playlist = `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile://${path.join(fixtures, 'ok.wav')}\n#EXT-X-ENDLIST\n`;
    const result = await submit(stack.baseUrl, new Blob([playlist]), 'song.mp3');
    expect(result.status).toBe(400);
    expect(['INVALID_AUDIO', 'UNSUPPORTED_FORMAT']).toContain(result.body['code']);
  });

  it('refuses two files', async () => {
    const form = new FormData();
    form.append('file', wav, 'a.wav');
    form.append('file', wav, 'b.wav');
    expectError(await post(form), 400, 'TOO_MANY_FILES');
  });

  it('refuses a file under another field name', async () => {
    const form = new FormData();
    form.append('audio', wav, 'a.wav');
    expectError(await post(form), 400, 'UNEXPECTED_FILE');
  });

  it('refuses a file over MAX_UPLOAD_BYTES announced by Content-Length', async () => {
    expectError(
      await submit(stack.baseUrl, new Blob([new Uint8Array(MAX_UPLOAD_BYTES * 2)]), 'big.wav'),
      413,
      'FILE_TOO_LARGE',
    );
  });

  it('refuses a file over MAX_UPLOAD_BYTES streamed without Content-Length', async () => {
    const result = await rawMultipart({ fileBytes: MAX_UPLOAD_BYTES + 50_000, chunked: true });
    expect(result.status).toBe(413);
    expect(result.body).toContain('FILE_TOO_LARGE');
  });

  it('survives a multipart body cut off mid-file', async () => {
    await rawMultipart({ fileBytes: 100_000, cutAfterBytes: 40_000 });
  });

  it('survives a malformed multipart body', async () => {
    const result = await post('--nope\r\ngarbage', { 'content-type': 'multipart/form-data; boundary=xyz' });
    expect(result.status).toBe(400);
  });
});

describe('form fields', () => {
  it.each([
    [{ codec: 'vorbis' }, 'INVALID_CODEC'],
    [{ quality_profile: 'ultra' }, 'INVALID_QUALITY_PROFILE'],
    [{ priority: 'now' }, 'INVALID_PRIORITY'],
    [{ bitrate: 'fast' }, 'INVALID_BITRATE'],
    [{ bitrate: '-5' }, 'INVALID_BITRATE'],
    [{ codec: 'flac', bitrate: '192000' }, 'INVALID_BITRATE'],
    [{ quality_profile: 'hi_res', bitrate: '192000' }, 'INVALID_BITRATE'],
    [{ codec: 'mp3', bitrate: '900000' }, 'INVALID_BITRATE'],
    [{ track_id: 'x'.repeat(500) }, 'INVALID_TRACK_ID'],
  ])('refuses %j with %s', async (fields, code) => {
    expectError(await submit(stack.baseUrl, wav, 'ok.wav', fields), 400, code);
  });
});

describe('job and HLS routes', () => {
  it('answers 400 for a job id that is not a UUID and 404 for an unknown one', async () => {
    const bad = await fetch(`${stack.baseUrl}/v1/stream/job/not-a-uuid`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: expect.any(String), code: 'INVALID_JOB_ID' });
    const unknown = await fetch(`${stack.baseUrl}/v1/stream/job/550e8400-e29b-41d4-a716-446655440000`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: expect.any(String), code: 'JOB_NOT_FOUND' });
  });

  it('answers 400 for the manifest of a job that is not completed, 404 for an unknown job', async () => {
    const upload = await submit(stack.baseUrl, wav, 'ok.wav');
    expect(upload.status).toBe(200);
    const jobId = String(upload.body['job_id']);
    const job = await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`);
    expect((await readJson(job))['status']).toBe('Pending');
    const manifest = await fetch(`${stack.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`);
    expect(manifest.status).toBe(400);
    expect(await manifest.json()).toEqual({ error: expect.any(String), code: 'JOB_NOT_COMPLETED' });
    const unknown = await fetch(`${stack.baseUrl}/v1/stream/hls/550e8400-e29b-41d4-a716-446655440000/index.m3u8`);
    expect(unknown.status).toBe(404);
    const missing = await fetch(`${stack.baseUrl}/v1/stream/hls/${jobId}/segment_00001.ts`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: expect.any(String), code: 'SEGMENT_NOT_FOUND' });
    // The accepted upload is the job's now; remove it so leftovers() stays meaningful.
    const uploads = path.join(stack.config.storageDir, 'uploads');
    for (const name of await readdir(uploads)) await rm(path.join(uploads, name), { force: true });
  });

  it.each([
    '/v1/stream/hls/550e8400-e29b-41d4-a716-446655440000/..%2f..%2f..%2fetc%2fpasswd',
    '/v1/stream/hls/550e8400-e29b-41d4-a716-446655440000/%2e%2e%2fpackage.json',
    '/v1/stream/hls/550e8400-e29b-41d4-a716-446655440000/..%5c..%5cpackage.json',
    '/v1/stream/hls/..%2f..%2fetc/passwd',
    '/v1/stream/hls/550e8400-e29b-41d4-a716-446655440000/segment_00001.ts%00.txt',
    '/v1/stream/hls/550e8400-e29b-41d4-a716-446655440000/%252e%252e%252fpasswd',
    '/v1/stream/hls/550e8400-e29b-41d4-a716-446655440000/.env',
    '/v1/stream/hls/%E0%A4%A/index.m3u8',
  ])('never serves a file outside the job folder: %s', async (url) => {
    const response = await rawGet(url);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.body).not.toContain('root:');
    expect(JSON.parse(response.body)).toEqual({ error: expect.any(String), code: expect.any(String) });
  });

  it('answers unknown routes with JSON 404', async () => {
    const response = await fetch(`${stack.baseUrl}/v1/stream/nothing`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: expect.any(String), code: 'NOT_FOUND' });
  });
});

describe('CORS', () => {
  it('allows the configured origins and no others', async () => {
    const allowed = await fetch(`${stack.baseUrl}/health`, { headers: { origin: 'http://localhost:3000' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    const other = await fetch(`${stack.baseUrl}/health`, { headers: { origin: 'http://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${stack.baseUrl}/v1/stream/transcode`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5176', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5176');
  });
});

/** A GET sent byte for byte (fetch would normalise `..` and `%2e` away). */
function rawGet(url: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(stack.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      socket.write(`GET ${url} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
  });
}

/**
 * Writes a multipart upload over a raw socket: optionally chunked (no
 * Content-Length), optionally cut off after some bytes (the client dies).
 */
function rawMultipart(options: {
  fileBytes: number;
  chunked?: boolean;
  cutAfterBytes?: number;
}): Promise<{ status: number; body: string }> {
  const { port } = new URL(stack.baseUrl);
  const boundary = 'testboundary1234';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const body = Buffer.concat([head, Buffer.alloc(options.fileBytes, 7), tail]);
  const headers = [
    'POST /v1/stream/transcode HTTP/1.1',
    'Host: localhost',
    `Content-Type: multipart/form-data; boundary=${boundary}`,
    options.chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${body.length}`,
    'Connection: close',
    '',
    '',
  ].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // The server may close while we still write (413): read what it said.
      if (err.code === 'EPIPE' || err.code === 'ECONNRESET') return;
      reject(err);
    });
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
    socket.write(headers);
    if (options.cutAfterBytes !== undefined) {
      socket.write(body.subarray(0, options.cutAfterBytes), () => setTimeout(() => socket.destroy(), 200));
      return;
    }
    if (options.chunked) {
      // Paced like a real client: stop sending once the server has answered.
      void (async () => {
        for (let offset = 0; offset < body.length && data === '' && !socket.destroyed; offset += 16_384) {
          const piece = body.subarray(offset, offset + 16_384);
          await new Promise((done) =>
            socket.write(
              Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]),
              done,
            ),
          );
        }
        // write, not end: a half-closed socket makes Node abort the request.
        if (!socket.destroyed) socket.write('0\r\n\r\n');
      })();
    } else {
      socket.write(body);
    }
  });
}
