import { request } from 'node:http';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as tus from 'tus-js-client';
import { decodePlaylist, makeTrack } from '../support/media';
import { readJson, startStack, waitForJob, type TestStack } from '../support/stack';

const UPLOADS = '/v1/stream/uploads';
const TUS = { 'Tus-Resumable': '1.0.0' };

function metadata(fields: Readonly<Record<string, string>>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key} ${Buffer.from(value, 'utf8').toString('base64')}`)
    .join(',');
}

async function create(
  stack: TestStack,
  length: number,
  fields: Readonly<Record<string, string>> = {},
  headers: Readonly<Record<string, string>> = {},
): Promise<Response> {
  return fetch(`${stack.baseUrl}${UPLOADS}`, {
    method: 'POST',
    headers: {
      ...TUS,
      'Upload-Length': String(length),
      ...(Object.keys(fields).length > 0 ? { 'Upload-Metadata': metadata(fields) } : {}),
      ...headers,
    },
  });
}

async function createUrl(stack: TestStack, length: number, fields: Readonly<Record<string, string>> = {}) {
  const response = await create(stack, length, fields);
  expect(response.status).toBe(201);
  const location = response.headers.get('location');
  if (!location) throw new Error('no Location');
  expect(location).toMatch(/^\/v1\/stream\/uploads\/[0-9a-f-]{36}$/);
  return `${stack.baseUrl}${location}`;
}

function patch(url: string, offset: number, body: Uint8Array): Promise<Response> {
  return fetch(url, {
    method: 'PATCH',
    headers: { ...TUS, 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
    body,
  });
}

async function head(url: string): Promise<Response> {
  return fetch(url, { method: 'HEAD', headers: TUS });
}

/** Sends `part` of a PATCH announced as `total` bytes, then drops the connection. */
async function cutOffPatch(url: string, offset: number, part: Buffer, total: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const req = request(url, {
      method: 'PATCH',
      headers: {
        ...TUS,
        'Upload-Offset': String(offset),
        'Content-Type': 'application/offset+octet-stream',
        'Content-Length': String(total),
      },
    });
    req.on('error', () => resolve());
    req.write(part, () => setTimeout(() => req.destroy(), 300));
    req.on('close', () => resolve());
  });
}

/** HEAD's offset once it stops moving (an aborted PATCH may still be flushing). */
async function settledOffset(url: string): Promise<number> {
  let last = -1;
  for (;;) {
    const offset = Number((await head(url)).headers.get('upload-offset'));
    if (offset === last) return offset;
    last = offset;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function tusLeftovers(stack: TestStack): Promise<string[]> {
  return readdir(path.join(stack.config.storageDir, 'tus')).catch(() => []);
}

describe('tus resumable uploads', () => {
  let stack: TestStack;
  let dir: string;
  let track: Buffer;

  beforeAll(async () => {
    stack = await startStack('tus', { workers: 1, env: { MAX_UPLOAD_BYTES: '10000000' } });
    dir = await mkdtemp(path.join(os.tmpdir(), 'tus-'));
    track = await readFile(await makeTrack(dir, 'tone', { seconds: 4 }));
  });

  afterAll(async () => {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('takes an upload in two chunks from tus-js-client and the job plays back at the right length', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const upload = new tus.Upload(track, {
        endpoint: `${stack.baseUrl}${UPLOADS}`,
        chunkSize: Math.ceil(track.length / 2),
        metadata: { filename: 'tone.wav', codec: 'aac', quality_profile: 'low', track_id: 'tus-tone' },
        retryDelays: [],
        onError: reject,
        onSuccess: ({ lastResponse }) => resolve(lastResponse.getBody()),
      });
      upload.start();
    });
    const answer: unknown = JSON.parse(body);
    expect(answer).toEqual({ job_id: expect.any(String), status: 'queued', message: 'Job submitted successfully' });
    const jobId = (answer as { job_id: string }).job_id;
    const job = await waitForJob(stack.baseUrl, jobId);
    expect(job.status).toBe('Completed');
    expect(job.track_id).toBe('tus-tone');
    const decoded = await decodePlaylist(`${stack.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`);
    expect(decoded.durationSeconds).toBeCloseTo(4, 0);
  });

  it('resumes after a PATCH cut off mid-body, answers the last PATCH with the job, and again when it is retried', async () => {
    const url = await createUrl(stack, track.length, { filename: 'cut.wav', codec: 'mp3' });
    const half = Math.floor(track.length / 2);
    await cutOffPatch(url, 0, track.subarray(0, half), track.length);
    const offset = await settledOffset(url);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(half);

    const last = await patch(url, offset, track.subarray(offset));
    expect(last.status).toBe(200);
    expect(last.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await readJson(last);
    expect(body).toEqual({ job_id: expect.any(String), status: 'queued', message: 'Job submitted successfully' });

    // The answer was "lost": HEAD says complete and names the job; the retried PATCH gets the same job.
    const after = await head(url);
    expect(after.headers.get('upload-offset')).toBe(String(track.length));
    expect(after.headers.get('upload-metadata')).toContain(
      `job_id ${Buffer.from(String(body['job_id'])).toString('base64')}`,
    );
    const retried = await patch(url, track.length, new Uint8Array(0));
    expect(retried.status).toBe(200);
    expect(await readJson(retried)).toEqual(body);

    const job = await waitForJob(stack.baseUrl, String(body['job_id']));
    expect(job.status).toBe('Completed');
    expect(job['codec']).toBe('mp3');
  });

  it('refuses bad metadata with the submit codes before storing anything', async () => {
    const before = await tusLeftovers(stack);
    const codec = await create(stack, track.length, { codec: 'wma' });
    expect(codec.status).toBe(400);
    expect(await readJson(codec)).toMatchObject({ code: 'INVALID_CODEC' });
    const bitrate = await create(stack, track.length, { codec: 'flac', bitrate: '128000' });
    expect(bitrate.status).toBe(400);
    expect(await readJson(bitrate)).toMatchObject({ code: 'INVALID_BITRATE' });
    const callback = await create(stack, track.length, { callback_url: 'http://example.com/hook' });
    expect(callback.status).toBe(400);
    expect(await readJson(callback)).toMatchObject({ code: 'WEBHOOKS_DISABLED' });
    const garbled = await create(stack, track.length, {}, { 'Upload-Metadata': 'codec not*base64!' });
    expect(garbled.status).toBe(400);
    expect(await readJson(garbled)).toMatchObject({ code: 'INVALID_METADATA' });
    expect(await tusLeftovers(stack)).toEqual(before);
  });

  it('refuses an Upload-Length over MAX_UPLOAD_BYTES with 413 FILE_TOO_LARGE', async () => {
    const response = await create(stack, 20_000_000, { codec: 'aac' });
    expect(response.status).toBe(413);
    expect(response.headers.get('tus-resumable')).toBe('1.0.0');
    expect(await readJson(response)).toMatchObject({ code: 'FILE_TOO_LARGE' });
  });

  it('answers a PATCH at the wrong offset with 409', async () => {
    const url = await createUrl(stack, track.length);
    expect((await patch(url, 0, track.subarray(0, 1000))).status).toBe(204);
    expect((await patch(url, 500, track.subarray(500, 1500))).status).toBe(409);
    expect((await head(url)).headers.get('upload-offset')).toBe('1000');
    expect((await fetch(url, { method: 'DELETE', headers: TUS })).status).toBe(204);
  });

  it('refuses content that is not audio with 400 JSON and keeps nothing', async () => {
    const junk = randomBytes(64 * 1024);
    const url = await createUrl(stack, junk.length, { filename: 'junk.wav' });
    const response = await patch(url, 0, junk);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(['INVALID_AUDIO', 'UNSUPPORTED_FORMAT', 'NO_AUDIO_STREAM']).toContain((await readJson(response))['code']);
    expect(await stack.settledLeftovers()).toEqual([]);
    expect((await tusLeftovers(stack)).filter((name) => url.endsWith(name.replace(/\.json$/, '')))).toEqual([]);
    expect((await head(url)).status).toBe(404);
  });

  it('takes a whole small upload in its creating POST (creation-with-upload)', async () => {
    const file = path.join(dir, 'post.wav');
    await writeFile(file, track);
    const response = await fetch(`${stack.baseUrl}${UPLOADS}`, {
      method: 'POST',
      headers: {
        ...TUS,
        'Upload-Length': String(track.length),
        'Upload-Metadata': metadata({ filename: 'post.wav' }),
        'Content-Type': 'application/offset+octet-stream',
      },
      body: track,
    });
    expect(response.status).toBe(201);
    expect(await readJson(response)).toMatchObject({ status: 'queued', job_id: expect.any(String) });
  });

  it('terminates an upload with DELETE', async () => {
    const url = await createUrl(stack, track.length);
    await patch(url, 0, track.subarray(0, 4096));
    const id = url.split('/').pop() ?? '';
    expect(await tusLeftovers(stack)).toEqual(expect.arrayContaining([id, `${id}.json`]));
    expect((await fetch(url, { method: 'DELETE', headers: TUS })).status).toBe(204);
    expect((await head(url)).status).toBe(404);
    expect(await tusLeftovers(stack)).not.toEqual(expect.arrayContaining([id]));
  });

  it('answers OPTIONS with tus capabilities and lets browsers send and read tus headers', async () => {
    const options = await fetch(`${stack.baseUrl}${UPLOADS}`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'PATCH' },
    });
    expect(options.status).toBe(204);
    expect(options.headers.get('tus-version')).toBe('1.0.0');
    expect(options.headers.get('tus-extension')?.split(',').sort()).toEqual(
      ['creation', 'creation-with-upload', 'expiration', 'termination'].sort(),
    );
    expect(options.headers.get('tus-max-size')).toBe('10000000');
    expect(options.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(options.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect(options.headers.get('access-control-allow-headers')).toMatch(/Upload-Metadata/i);
    expect(options.headers.get('access-control-allow-headers')).toMatch(/Authorization/i);

    const created = await create(stack, track.length, {}, { Origin: 'http://localhost:3000' });
    expect(created.status).toBe(201);
    expect(created.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(created.headers.get('access-control-expose-headers')).toMatch(/Location/);
    expect(created.headers.get('access-control-expose-headers')).toMatch(/Upload-Offset/);
    expect(created.headers.get('upload-expires')).not.toBeNull();
  });
});

describe('tus upload expiry', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack('tus-expiry', { workers: 0, overrides: { uploadExpirySeconds: 1 } });
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('sweeps an unfinished upload once it has expired', async () => {
    const url = await createUrl(stack, 100_000);
    expect((await patch(url, 0, randomBytes(1000))).status).toBe(204);
    expect(await tusLeftovers(stack)).toHaveLength(2);
    const deadline = Date.now() + 10_000;
    while ((await tusLeftovers(stack)).length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await tusLeftovers(stack)).toEqual([]);
    expect([404, 410]).toContain((await head(url)).status);
  });
});

describe('tus uploads with auth', () => {
  let stack: TestStack;
  const key = 'tus-test-key-0123456789';

  beforeAll(async () => {
    stack = await startStack('tus-auth', { workers: 0, env: { API_KEYS: key } });
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('needs a key with transcode:write for every tus request', async () => {
    const anonymous = await create(stack, 1000);
    expect(anonymous.status).toBe(401);
    expect(await readJson(anonymous)).toMatchObject({ code: 'AUTH_REQUIRED' });
    const keyed = await create(stack, 1000, {}, { Authorization: `Bearer ${key}` });
    expect(keyed.status).toBe(201);
    const url = `${stack.baseUrl}${keyed.headers.get('location') ?? ''}`;
    expect((await head(url)).status).toBe(401);
    expect((await patch(url, 0, new Uint8Array(10))).status).toBe(401);
    expect((await fetch(url, { method: 'DELETE', headers: TUS })).status).toBe(401);
    const deleted = await fetch(url, { method: 'DELETE', headers: { ...TUS, Authorization: `Bearer ${key}` } });
    expect(deleted.status).toBe(204);
  });
});
