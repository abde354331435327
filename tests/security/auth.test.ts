/**
 * Bearer auth, black box, on the real stack: API keys and HS256 JWTs with
 * scopes on submit, read and cancel; /health and HLS stay open (HLS is
 * governed by signed URLs, not bearer auth); with no key configured the
 * API is open exactly as before.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { makeTrack } from '../support/media';
import { readJson, startStack, submit, waitForJob, type TestStack } from '../support/stack';

const API_KEY = 'test-api-key-0123456789abcdef';
const JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789';
const ISSUER = 'https://issuer.test';

let fixtures: string;
let wav: Blob;

beforeAll(async () => {
  fixtures = await mkdtemp(path.join(os.tmpdir(), 'auth-fixtures-'));
  wav = new Blob([await readFile(await makeTrack(fixtures, 'tone', { seconds: 2 }))]);
});

afterAll(async () => {
  await rm(fixtures, { recursive: true, force: true });
});

function jwt(scope: string, expiresIn = 300): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: 'tester', scope })
    .setProtectedHeader({ alg: 'HS256' })
    .setAudience('stream-server')
    .setIssuer(ISSUER)
    .setExpirationTime(now + expiresIn)
    .sign(new TextEncoder().encode(JWT_SECRET));
}

const auth = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });

async function submitAs(
  baseUrl: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const form = new FormData();
  form.append('file', wav, 'tone.wav');
  const response = await fetch(`${baseUrl}/v1/stream/transcode`, { method: 'POST', body: form, headers });
  return { status: response.status, headers: response.headers, body: await readJson(response) };
}

/** Like the support's waitForJob, but with credentials. */
async function waitWith(
  baseUrl: string,
  jobId: string,
  headers: Record<string, string>,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const body = await readJson(await fetch(`${baseUrl}/v1/stream/job/${jobId}`, { headers }));
    const status = String(body['status']);
    if (status === 'Completed' || status === 'Cancelled' || status.startsWith('Failed')) return body;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('with API_KEYS and JWT_SECRET set', () => {
  let stack: TestStack;
  let jobId: string;

  beforeAll(async () => {
    stack = await startStack('auth-on', {
      env: { API_KEYS: `other-key-0123456789abcdef,${API_KEY}`, JWT_SECRET, JWT_ISSUER: ISSUER },
    });
    const submitted = await submitAs(stack.baseUrl, auth(API_KEY));
    expect(submitted.status).toBe(200);
    jobId = String(submitted.body['job_id']);
    expect(await waitWith(stack.baseUrl, jobId, auth(API_KEY))).toMatchObject({ status: 'Completed' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('/health stays open', async () => {
    expect((await fetch(`${stack.baseUrl}/health`)).status).toBe(200);
  });

  it('submit without credentials → 401 AUTH_REQUIRED with WWW-Authenticate, nothing stored', async () => {
    const response = await submitAs(stack.baseUrl, {});
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: expect.any(String), code: 'AUTH_REQUIRED' });
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(await stack.leftovers()).toEqual([]);
  });

  it('submit with a bad key → 401 INVALID_TOKEN', async () => {
    const response = await submitAs(stack.baseUrl, auth('wrong-key-0123456789abcdef'));
    expect(response.status).toBe(401);
    expect(response.body['code']).toBe('INVALID_TOKEN');
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('reading and cancelling a job need credentials too', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`, { method });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect((await readJson(response))['code']).toBe('AUTH_REQUIRED');
    }
  });

  it('the key reads the job: 200 with the seed fields', async () => {
    const response = await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`, { headers: auth(API_KEY) });
    expect(response.status).toBe(200);
    expect(await readJson(response)).toMatchObject({
      id: jobId,
      status: 'Completed',
      manifest_url: `/v1/stream/hls/${jobId}/index.m3u8`,
    });
  });

  it('a JWT with only jobs:read can read but not submit or cancel (403 INSUFFICIENT_SCOPE)', async () => {
    const reader = auth(await jwt('jobs:read'));
    const read = await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`, { headers: reader });
    expect(read.status).toBe(200);
    expect((await readJson(read))['id']).toBe(jobId);

    const submitted = await submitAs(stack.baseUrl, reader);
    expect(submitted.status).toBe(403);
    expect(submitted.body).toEqual({ error: expect.any(String), code: 'INSUFFICIENT_SCOPE' });
    expect(submitted.headers.get('www-authenticate')).toContain('scope="transcode:write"');
    expect(await stack.leftovers()).toEqual([]);

    const cancel = await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`, { method: 'DELETE', headers: reader });
    expect(cancel.status).toBe(403);
  });

  it('a JWT with transcode:write only can submit but not read', async () => {
    const writer = auth(await jwt('transcode:write'));
    const submitted = await submitAs(stack.baseUrl, writer);
    expect(submitted.status).toBe(200);
    const id = String(submitted.body['job_id']);
    expect((await fetch(`${stack.baseUrl}/v1/stream/job/${id}`, { headers: writer })).status).toBe(403);
    expect(await waitWith(stack.baseUrl, id, auth(API_KEY))).toMatchObject({ status: 'Completed' });
  });

  it('an expired JWT → 401 TOKEN_EXPIRED', async () => {
    const response = await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`, {
      headers: auth(await jwt('jobs:read', -3600)),
    });
    expect(response.status).toBe(401);
    expect((await readJson(response))['code']).toBe('TOKEN_EXPIRED');
  });

  it('a JWT from another issuer → 401 INVALID_TOKEN', async () => {
    const now = Math.floor(Date.now() / 1000);
    const foreign = await new SignJWT({ scope: 'jobs:read' })
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience('stream-server')
      .setIssuer('https://other.test')
      .setExpirationTime(now + 300)
      .sign(new TextEncoder().encode(JWT_SECRET));
    const response = await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`, { headers: auth(foreign) });
    expect(response.status).toBe(401);
    expect((await readJson(response))['code']).toBe('INVALID_TOKEN');
  });

  it('HLS is not behind bearer auth (no signing key here: open)', async () => {
    const manifest = await fetch(`${stack.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`);
    expect(manifest.status).toBe(200);
    expect(await manifest.text()).toContain('segment_00001.ts');
  });
});

describe('with no key configured', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack('auth-off');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('everything is open exactly as before, credentials or not', async () => {
    const upload = await submit(stack.baseUrl, wav, 'tone.wav');
    expect(upload.status).toBe(200);
    const jobId = String(upload.body['job_id']);
    const job = await waitForJob(stack.baseUrl, jobId);
    expect(job).toMatchObject({ status: 'Completed', manifest_url: `/v1/stream/hls/${jobId}/index.m3u8` });

    const withJunk = await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`, { headers: auth('junk') });
    expect(withJunk.status).toBe(200);
    expect(withJunk.headers.get('www-authenticate')).toBeNull();

    const manifest = await fetch(`${stack.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`);
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get('cache-control')).toBe('public, max-age=60');
    const segment = await fetch(`${stack.baseUrl}/v1/stream/hls/${jobId}/segment_00001.ts`);
    expect(segment.status).toBe(200);
    expect(segment.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    await segment.arrayBuffer();
  });
});
