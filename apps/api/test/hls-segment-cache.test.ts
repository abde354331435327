import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@stream-server/logger';
import { HlsSegmentCache, IMMUTABLE_FILE_LOCAL } from '../src/routes/hls-segment-cache';

/**
 * The segment cache on a real HTTP server, with a stand-in for Express
 * behind it that counts the requests it gets: a request the cache answers
 * never reaches it.
 */

let dir: string;
let server: Server;
let baseUrl: string;
let behind = 0;
let cache: HlsSegmentCache;
const files: Record<string, string> = {};

function start(options: { maxBytes?: number; maxAgeMs?: number }): Promise<void> {
  cache = new HlsSegmentCache({
    logger: silentLogger,
    allowedOrigins: [],
    load: (file) => readFile(file).catch(() => null),
    ...options,
  });
  server = createServer((req, res) => {
    if (cache.serve(req, res)) return;
    behind += 1;
    const name = (req.url ?? '').split('/').pop() ?? '';
    const file = files[name];
    if (!file || name.startsWith('missing')) {
      res.statusCode = 404;
      res.end('{}');
      return;
    }
    // What hls-routes does for an immutable segment, then what sendFile does.
    Reflect.set(res, 'locals', { [IMMUTABLE_FILE_LOCAL]: file });
    res.setHeader('Content-Type', 'video/mp2t');
    res.setHeader('Content-Length', name.startsWith('lying') ? 5 : 200);
    res.setHeader('ETag', `W/"${name}"`);
    res.end(name.startsWith('lying') ? 'short' : Buffer.alloc(200, name.length));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      resolve();
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'segment-cache-'));
  for (const name of ['a.ts', 'b.ts', 'lying.ts']) {
    files[name] = path.join(dir, name);
    await writeFile(files[name] ?? '', Buffer.alloc(200, name.length));
  }
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  behind = 0;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** GET, then wait until the cache has loaded what Express sent. */
async function get(name: string): Promise<number> {
  const res = await fetch(`${baseUrl}/v1/stream/hls/job/${name}`);
  await res.arrayBuffer();
  // The response's 'finish' starts the load; give it a moment, then wait for the read.
  await new Promise((resolve) => setTimeout(resolve, 30));
  await cache.idle();
  return res.status;
}

it('answers repeated GETs from memory, and keeps within its byte budget (least recently used out)', async () => {
  await start({ maxBytes: 300 });
  await get('a.ts');
  await get('a.ts');
  await get('a.ts');
  expect(behind).toBe(1);
  await get('b.ts'); // 400 bytes > 300: a.ts goes
  expect(cache.size()).toEqual({ entries: 1, bytes: 200 });
  await get('a.ts');
  expect(behind).toBe(3);
});

it('re-reads an entry from disk once it is older than maxAgeMs', async () => {
  await start({ maxAgeMs: 50 });
  await get('a.ts');
  await get('a.ts');
  expect(behind).toBe(1);
  await new Promise((resolve) => setTimeout(resolve, 80));
  await get('a.ts');
  expect(behind).toBe(2);
});

it('keeps neither errors nor a file that differs from what was sent', async () => {
  await start({});
  expect(await get('missing.ts')).toBe(404);
  expect(await get('missing.ts')).toBe(404);
  await get('lying.ts');
  await get('lying.ts');
  expect(behind).toBe(4);
  expect(cache.size().entries).toBe(0);
});

it('answers a cached 304 without the body headers and a cached HEAD without the body, each with its own request id', async () => {
  await start({});
  await get('a.ts');
  const url = `${baseUrl}/v1/stream/hls/job/a.ts`;

  const revalidated = await fetch(url, { headers: { 'If-None-Match': 'W/"a.ts"', 'X-Request-Id': 'player-42' } });
  expect(revalidated.status).toBe(304);
  expect(revalidated.headers.get('etag')).toBe('W/"a.ts"');
  expect(revalidated.headers.get('content-type')).toBeNull();
  expect(revalidated.headers.get('content-length')).toBeNull();
  expect(revalidated.headers.get('x-request-id')).toBe('player-42');

  const head = await fetch(url, { method: 'HEAD' });
  expect(head.status).toBe(200);
  expect(head.headers.get('content-type')).toBe('video/mp2t');
  expect(head.headers.get('content-length')).toBe('200');
  expect(head.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  expect((await head.arrayBuffer()).byteLength).toBe(0);
  expect(behind).toBe(1);
});
