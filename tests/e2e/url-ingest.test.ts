/**
 * Submits by `source_url`, black box: origins are real HTTP servers on
 * loopback started here, counting every TCP connection they accept, so
 * "refused" means the forbidden origin was never even connected to. The
 * API fetches before it answers; whatever it refuses leaves nothing in
 * uploads/.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startLoopbackOrigin, type LoopbackOrigin } from '../support/loopback-origin';
import { decodePlaylist, makeTrack } from '../support/media';
import { readJson, startStack, waitForJob, type TestStack } from '../support/stack';

const SECONDS = 3;
const MAX_UPLOAD_BYTES = 1_500_000;
const API_KEY = 'ingest-test-key-0123456789';

let fixtures: string;
let wav: Buffer;
let allowed: LoopbackOrigin;
let forbidden: LoopbackOrigin;
/** workers, allow-list, a small MAX_UPLOAD_BYTES, the default timeout, 1 s of shutdown grace. */
let stack: TestStack;
/** no worker, API_KEYS, INGEST_TIMEOUT_SECONDS=1. */
let strict: TestStack;

beforeAll(async () => {
  fixtures = await mkdtemp(path.join(os.tmpdir(), 'ingest-fixtures-'));
  wav = await readFile(await makeTrack(fixtures, 'tone', { seconds: SECONDS }));
  forbidden = await startLoopbackOrigin((_req, res) => res.writeHead(200).end(wav));
  allowed = await startLoopbackOrigin((req, res) => {
    const route = req.url ?? '';
    if (route.startsWith('/masters/')) res.writeHead(200, { 'Content-Type': 'audio/wav' }).end(wav);
    else if (route === '/to-forbidden') res.writeHead(302, { Location: forbidden.url('/masters/x.wav') }).end();
    else if (route === '/not-audio') res.writeHead(200, { 'Content-Type': 'text/plain' }).end('hello '.repeat(5000));
    else if (route === '/big-announced')
      res.writeHead(200, { 'Content-Length': 2_000_000 }).end(Buffer.alloc(2_000_000));
    else if (route === '/big-chunked') {
      res.writeHead(200);
      for (let i = 0; i < 20; i += 1) res.write(Buffer.alloc(100_000));
      res.end();
    } else if (route === '/stall') {
      // Headers and a first chunk, then nothing: only a deadline or an abort ends it.
      res.writeHead(200);
      res.write(wav.subarray(0, 4096));
    } else res.writeHead(404).end();
  });
  const env = {
    INGEST_ALLOW_HOSTS: `127.0.0.1:${allowed.port}`,
    MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
  };
  stack = await startStack('ingest', { workers: 1, env: { ...env, SHUTDOWN_GRACE_SECONDS: '1' } });
  strict = await startStack('ingest-strict', {
    workers: 0,
    env: { ...env, API_KEYS: API_KEY, INGEST_TIMEOUT_SECONDS: '1' },
  });
});

afterAll(async () => {
  await stack?.stop();
  await strict?.stop();
  await allowed?.close();
  await forbidden?.close();
  await rm(fixtures, { recursive: true, force: true });
});

async function submitForm(
  target: TestStack,
  fields: Readonly<Record<string, string>>,
  file?: Blob,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new FormData();
  if (file) form.append('file', file, 'upload.wav');
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const response = await fetch(`${target.baseUrl}/v1/stream/transcode`, { method: 'POST', body: form });
  return { status: response.status, body: await readJson(response) };
}

async function submitJson(
  target: TestStack,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${target.baseUrl}/v1/stream/transcode`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await readJson(response) };
}

async function expectDecodes(jobId: string, codec: string): Promise<void> {
  const job = await waitForJob(stack.baseUrl, jobId);
  expect(job).toMatchObject({ status: 'Completed', error: null });
  const decoded = await decodePlaylist(`${stack.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`);
  expect(Math.abs(decoded.durationSeconds - SECONDS)).toBeLessThanOrEqual(0.1);
  expect(decoded.codec).toBe(codec);
}

describe('a source on an allowed origin', () => {
  it('is fetched, queued (200) and transcoded like an upload (form field)', async () => {
    const response = await submitForm(stack, { source_url: allowed.url('/masters/My%20Song.wav?sig=s3cr3t') });
    expect(response).toEqual({
      status: 200,
      body: { job_id: expect.any(String), status: 'queued', message: 'Job submitted successfully' },
    });
    const jobId = String(response.body['job_id']);
    await expectDecodes(jobId, 'aac');
    const job = await waitForJob(stack.baseUrl, jobId);
    expect(job.track_id).toBe('My Song');
  });

  it('takes a JSON body with the same fields, JSON numbers included', async () => {
    const response = await submitJson(stack, {
      source_url: allowed.url('/masters/tone.wav'),
      codec: 'mp3',
      bitrate: 128000,
      track_id: 'from-json',
    });
    expect(response.status).toBe(200);
    const jobId = String(response.body['job_id']);
    await expectDecodes(jobId, 'mp3');
    expect((await waitForJob(stack.baseUrl, jobId)).track_id).toBe('from-json');
  });
});

describe('what may not be fetched', () => {
  it('refuses a redirect to a loopback port not on the allow-list, without connecting to it', async () => {
    const response = await submitForm(stack, { source_url: allowed.url('/to-forbidden') });
    expect(response.status).toBe(400);
    expect(response.body['code']).toBe('SOURCE_URL_FORBIDDEN');
    expect(forbidden.connections).toBe(0);
    expect(await stack.settledLeftovers()).toEqual([]);
  });

  it('refuses a loopback URL not on the allow-list, without connecting to it', async () => {
    for (const url of [forbidden.url('/masters/x.wav'), `http://localhost:${forbidden.port}/x.wav`]) {
      const response = await submitJson(stack, { source_url: url });
      expect({ url, status: response.status, code: response.body['code'] }).toEqual({
        url,
        status: 400,
        code: 'SOURCE_URL_FORBIDDEN',
      });
    }
    expect(forbidden.connections).toBe(0);
  });

  it.each(['ftp://127.0.0.1/track.wav', 'not a url', 'http://user:pw@example.com/a.wav'])(
    'refuses %j as SOURCE_URL_INVALID',
    async (url) => {
      const response = await submitJson(stack, { source_url: url });
      expect(response.status).toBe(400);
      expect(response.body['code']).toBe('SOURCE_URL_INVALID');
    },
  );

  it('refuses an origin that answers 404 as SOURCE_URL_INVALID', async () => {
    const response = await submitJson(stack, { source_url: allowed.url('/missing.wav') });
    expect(response.status).toBe(400);
    expect(response.body['code']).toBe('SOURCE_URL_INVALID');
    expect(await stack.settledLeftovers()).toEqual([]);
  });

  it('refuses bad fields before fetching anything', async () => {
    const before = allowed.connections;
    const response = await submitJson(stack, { source_url: allowed.url('/masters/tone.wav'), codec: 'wma' });
    expect(response.body['code']).toBe('INVALID_CODEC');
    expect(allowed.connections).toBe(before);
  });
});

describe('exactly one source', () => {
  it('refuses a file and a source_url together', async () => {
    const response = await submitForm(stack, { source_url: allowed.url('/masters/tone.wav') }, new Blob([wav]));
    expect(response.status).toBe(400);
    expect(response.body['code']).toBe('FILE_AND_SOURCE_URL');
    expect(await stack.settledLeftovers()).toEqual([]);
  });

  it('keeps MISSING_FILE for neither, in a form or in JSON', async () => {
    expect((await submitForm(stack, { codec: 'aac' })).body['code']).toBe('MISSING_FILE');
    const json = await submitJson(stack, { codec: 'aac' });
    expect(json.status).toBe(400);
    expect(json.body['code']).toBe('MISSING_FILE');
    const array = await submitJson(stack, [allowed.url('/masters/tone.wav')]);
    expect(array.status).toBe(400);
    expect(array.body['code']).toBe('BAD_REQUEST');
  });
});

describe('sources that fail after the fetch starts', () => {
  it.each(['/big-announced', '/big-chunked'])('refuses %s over MAX_UPLOAD_BYTES (413)', async (route) => {
    const response = await submitJson(stack, { source_url: allowed.url(route) });
    expect(response.status).toBe(413);
    expect(response.body['code']).toBe('SOURCE_TOO_LARGE');
    expect(await stack.settledLeftovers()).toEqual([]);
  });

  it('refuses a source that is not audio with the upload codes, and deletes it', async () => {
    const response = await submitJson(stack, { source_url: allowed.url('/not-audio') });
    expect(response.status).toBe(400);
    expect(['INVALID_AUDIO', 'UNSUPPORTED_FORMAT', 'NO_AUDIO_STREAM']).toContain(response.body['code']);
    expect(await stack.settledLeftovers()).toEqual([]);
  });

  it('gives up on an origin slower than INGEST_TIMEOUT_SECONDS (504), keeping nothing', async () => {
    const started = Date.now();
    const response = await submitJson(
      strict,
      { source_url: allowed.url('/stall') },
      { Authorization: `Bearer ${API_KEY}` },
    );
    expect(response.status).toBe(504);
    expect(response.body['code']).toBe('SOURCE_FETCH_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await strict.settledLeftovers()).toEqual([]);
  });

  it('stops fetching when the client goes away, keeping nothing', async () => {
    const cutBefore = allowed.cut;
    const client = new AbortController();
    const request = fetch(`${stack.baseUrl}/v1/stream/transcode`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ source_url: allowed.url('/stall') }),
      signal: client.signal,
    }).catch(() => null);
    // Wait until the API is fetching (its file exists), then hang up.
    await waitForFetching(stack);
    client.abort();
    await request;
    // The default timeout is 5 min: only the client's hang-up can end this fetch.
    const closed = Date.now() + 3_000;
    while (allowed.cut === cutBefore && Date.now() < closed) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(allowed.cut).toBe(cutBefore + 1);
    expect(await stack.settledLeftovers()).toEqual([]);
  });
});

/** Resolves once the API is fetching into uploads/ (its file exists). */
async function waitForFetching(target: TestStack): Promise<void> {
  const deadline = Date.now() + 5_000;
  while ((await target.leftovers()).length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(await target.leftovers()).toHaveLength(1);
}

describe('auth', () => {
  it('is checked before any fetch', async () => {
    const before = allowed.connections;
    const response = await submitJson(strict, { source_url: allowed.url('/masters/tone.wav') });
    expect(response.status).toBe(401);
    expect(response.body['code']).toBe('AUTH_REQUIRED');
    const form = await submitForm(strict, { source_url: allowed.url('/masters/tone.wav') });
    expect(form.status).toBe(401);
    expect(allowed.connections).toBe(before);
  });
});

describe('shutdown (last: it stops the API)', () => {
  it('aborts a fetch still running past the grace, answers 503 and keeps nothing', async () => {
    const cutBefore = allowed.cut;
    const request = submitJson(stack, { source_url: allowed.url('/stall') });
    await waitForFetching(stack);
    await stack.api.stop();
    const response = await request;
    expect(response.status).toBe(503);
    expect(response.body['code']).toBe('SHUTTING_DOWN');
    // stop() resolves once aborted fetches are cleaned up.
    expect(await stack.leftovers()).toEqual([]);
    expect(allowed.cut).toBe(cutBefore + 1);
  });
});
