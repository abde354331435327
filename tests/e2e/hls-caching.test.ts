import { openAsBlob } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeTrack } from '../support/media';
import { startStack, submit, waitForJob, type TestStack } from '../support/stack';

/**
 * Segments are immutable, so they are served for caches and CDNs to keep:
 * `Cache-Control: public, max-age=31536000, immutable`, an ETag and
 * Last-Modified, 304 on revalidation. The first GET of a segment goes
 * through Express; later ones come from the API's in-memory segment cache,
 * which must answer exactly the same.
 */

const SEGMENT_CACHE = 'public, max-age=31536000, immutable';
let stack: TestStack;
let dir: string;
let jobId: string;
let segments: string[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hls-caching-'));
  stack = await startStack('hls-caching', { env: { ALLOWED_ORIGINS: 'http://player.example' } });
  const track = await makeTrack(dir, 'tone', { seconds: 14 });
  const submitted = await submit(stack.baseUrl, await openAsBlob(track), 'tone.wav', { codec: 'aac' });
  jobId = String(submitted.body['job_id']);
  expect((await waitForJob(stack.baseUrl, jobId)).status).toBe('Completed');
  const playlist = await (await fetch(`${stack.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`)).text();
  segments = playlist.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
  expect(segments.length).toBeGreaterThanOrEqual(3);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

const url = (segment: string) => `${stack.baseUrl}/v1/stream/hls/${jobId}/${segment}`;

/** Headers that must not differ between the Express answer and the cached one. */
function stableHeaders(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!['date', 'x-request-id', 'connection', 'keep-alive'].includes(name)) out[name] = value;
  });
  return out;
}

/** GETs until two answers in a row are equal and the cache had time to load (it loads after the first answer). */
async function cachedGet(segment: string, init?: RequestInit): Promise<Response> {
  await new Promise((resolve) => setTimeout(resolve, 100));
  return fetch(url(segment), init);
}

it('serves a segment with immutable caching, ETag and Last-Modified, the same from Express and from memory', async () => {
  const segment = segments[0] ?? '';
  const onDisk = await readFile(path.join(stack.config.storageDir, 'hls', jobId, segment));
  const first = await fetch(url(segment));
  expect(first.status).toBe(200);
  expect(first.headers.get('cache-control')).toBe(SEGMENT_CACHE);
  expect(first.headers.get('content-type')).toBe('video/mp2t');
  expect(first.headers.get('etag')).toMatch(/^(W\/)?"[^"]+"$/);
  expect(first.headers.get('last-modified')).toBeTruthy();
  expect(first.headers.get('x-request-id')).toBeTruthy();
  expect(Buffer.from(await first.arrayBuffer()).equals(onDisk)).toBe(true);

  const second = await cachedGet(segment);
  expect(second.status).toBe(200);
  expect(stableHeaders(second)).toEqual(stableHeaders(first));
  expect(second.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
  expect(Buffer.from(await second.arrayBuffer()).equals(onDisk)).toBe(true);

  // Proof the second answer came from memory: it outlives the file (for at most the cache's 30 s).
  await rm(path.join(stack.config.storageDir, 'hls', jobId, segment));
  const fromMemory = await fetch(url(segment));
  expect(fromMemory.status).toBe(200);
  expect(Buffer.from(await fromMemory.arrayBuffer()).equals(onDisk)).toBe(true);
});

it('answers If-None-Match with 304, both before and after the segment is cached', async () => {
  const segment = segments[1] ?? '';
  const first = await fetch(url(segment));
  await first.arrayBuffer();
  const etag = first.headers.get('etag') ?? '';
  for (let i = 0; i < 2; i++) {
    const revalidated = await cachedGet(segment, { headers: { 'If-None-Match': etag } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('etag')).toBe(etag);
    expect(revalidated.headers.get('cache-control')).toBe(SEGMENT_CACHE);
    expect((await revalidated.arrayBuffer()).byteLength).toBe(0);
  }
  const changed = await fetch(url(segment), { headers: { 'If-None-Match': '"something-else"' } });
  expect(changed.status).toBe(200);
  await changed.arrayBuffer();
});

it('answers HEAD, ranges and allowed origins like Express does', async () => {
  const segment = segments[2] ?? '';
  const size = (await readFile(path.join(stack.config.storageDir, 'hls', jobId, segment))).length;
  await (await fetch(url(segment))).arrayBuffer();

  const head = await cachedGet(segment, { method: 'HEAD' });
  expect(head.status).toBe(200);
  expect(head.headers.get('content-length')).toBe(String(size));

  const range = await fetch(url(segment), { headers: { Range: 'bytes=0-99' } });
  expect(range.status).toBe(206);
  expect((await range.arrayBuffer()).byteLength).toBe(100);

  const cors = await fetch(url(segment), { headers: { Origin: 'http://player.example' } });
  expect(cors.headers.get('access-control-allow-origin')).toBe('http://player.example');
  await cors.arrayBuffer();
  const foreign = await fetch(url(segment), { headers: { Origin: 'http://elsewhere.example' } });
  expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  await foreign.arrayBuffer();
});

it('still answers 404 JSON for a segment that does not exist', async () => {
  for (let i = 0; i < 2; i++) {
    const missing = await fetch(url('segment_09999.ts'));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: expect.any(String), code: 'SEGMENT_NOT_FOUND' });
  }
});

it('gives playlists a one-minute lifetime', async () => {
  const playlist = await fetch(`${stack.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`);
  expect(playlist.headers.get('cache-control')).toBe('public, max-age=60');
  await playlist.text();
});
