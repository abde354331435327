/**
 * The API on either storage driver, black box: a job's output published
 * through the storage (as a worker publishes it) is served with the same
 * statuses, types, caching, validators, ranges and 404s from disk (`fs`)
 * and from a real S3 server (`s3`, s3rver); with MEDIA_PUBLIC_BASE_URL,
 * media answers 302 to its public URL, after the playback token is
 * checked. Uploads are committed to the bucket; a bucket that goes away
 * gives 503s, never 500s, and leaves nothing behind. No worker runs: the
 * API's side only.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@stream-server/config';
import { createStorage } from '@stream-server/storage';
import { PlaybackSigner } from '../../apps/api/src/playback/playback-signer';
import { makeTrack } from '../support/media';
import { startTestS3, type TestS3 } from '../support/s3-server';
import { startTcpRelay, type TcpRelay } from '../support/tcp-relay';
import { readJson, startStack, submit, type TestStack } from '../support/stack';

const SEGMENT_CACHE = 'public, max-age=31536000, immutable';
const KEY = 'test-playback-key-0123456789abcdef0123';
const PLAYLIST =
  '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:4.0,\nsegment_00001.m4s\n#EXT-X-ENDLIST\n';
const SEGMENT = randomBytes(200_000);
const INIT = randomBytes(1_000);
const WAVEFORM = JSON.stringify({ version: 2, channels: 1, data: [0, 1, -1, 0] });
const DOWNLOAD_BYTES = 64 * 1024 * 1024;

let s3: TestS3;
let proxy: TcpRelay;
let fixtures: string;

beforeAll(async () => {
  fixtures = await mkdtemp(path.join(os.tmpdir(), 's3-api-'));
  s3 = await startTestS3();
  proxy = await startTcpRelay(Number(new URL(s3.endpoint).port));
});

afterAll(async () => {
  await proxy?.close();
  await s3?.stop();
  await rm(fixtures, { recursive: true, force: true });
});

/**
 * Publishes a job's output through a storage driver, the way a worker
 * does: into `storageDir` (fs, the stack's own), or the bucket (s3, from a
 * scratch dir of its own).
 */
async function publishJob(env: Record<string, string>, download: Buffer, storageDir?: string): Promise<string> {
  const jobId = randomUUID();
  const config = loadConfig({ ...env, STORAGE_DIR: storageDir ?? (await mkdtemp(path.join(fixtures, 'publisher-'))) });
  const storage = await createStorage(config.storageDir, config.storage);
  try {
    await storage.ensureLayout();
    const work = await storage.createWorkDir(jobId, 1);
    const files: Array<[string, string | Buffer]> = [
      ['index.m3u8', PLAYLIST],
      ['init.mp4', INIT],
      ['segment_00001.m4s', SEGMENT],
      ['segment_00002.ts', SEGMENT.subarray(0, 5_000)],
      ['waveform.json', WAVEFORM],
      ['download.m4a', download],
    ];
    for (const [name, body] of files) await writeFile(path.join(work, name), body);
    expect(await storage.publish(work, jobId)).toBe('published');
    return jobId;
  } finally {
    storage.close?.();
  }
}

describe.each(['fs', 's3'] as const)('served from the %s driver', (driver) => {
  let stack: TestStack;
  let jobId: string;
  let download: Buffer;
  const env = (): Record<string, string> => (driver === 's3' ? { ...s3.env, S3_ENDPOINT: proxy.endpoint } : {});
  const url = (file: string) => `${stack.baseUrl}/v1/stream/hls/${jobId}/${file}`;

  beforeAll(async () => {
    stack = await startStack(`s3-api-${driver}`, { workers: 0, env: env() });
    download = driver === 's3' ? randomBytes(DOWNLOAD_BYTES) : randomBytes(300_000);
    jobId = await publishJob(env(), download, driver === 'fs' ? stack.config.storageDir : undefined);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('serves playlists and segments with their types, caching and validators', async () => {
    const playlist = await fetch(url('index.m3u8'));
    expect(playlist.status).toBe(200);
    expect(playlist.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(playlist.headers.get('cache-control')).toBe('public, max-age=60');
    expect(await playlist.text()).toBe(PLAYLIST);

    for (const [name, bytes] of [
      ['init.mp4', INIT],
      ['segment_00001.m4s', SEGMENT],
    ] as const) {
      for (let i = 0; i < 2; i++) {
        // The second GET may come from the in-memory segment cache, loaded from the storage.
        if (i === 1) await new Promise((resolve) => setTimeout(resolve, 200));
        const response = await fetch(url(name));
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('video/mp4');
        expect(response.headers.get('cache-control')).toBe(SEGMENT_CACHE);
        expect(response.headers.get('content-length')).toBe(String(bytes.length));
        expect(response.headers.get('etag')).toMatch(/^(W\/)?"[^"]+"$/);
        expect(response.headers.get('last-modified')).toBeTruthy();
        expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
      }
    }
    const ts = await fetch(url('segment_00002.ts'));
    expect(ts.headers.get('content-type')).toBe('video/mp2t');
    expect((await ts.arrayBuffer()).byteLength).toBe(5_000);
  });

  it('answers ranges with 206 and Content-Range, and a range past the end with 416', async () => {
    const first = await fetch(url('segment_00001.m4s'), { headers: { Range: 'bytes=0-99' } });
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe(`bytes 0-99/${SEGMENT.length}`);
    expect(first.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await first.arrayBuffer()).equals(SEGMENT.subarray(0, 100))).toBe(true);

    const tail = await fetch(url('segment_00001.m4s'), { headers: { Range: `bytes=${SEGMENT.length - 10}-` } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(SEGMENT.subarray(-10))).toBe(true);

    const past = await fetch(url('segment_00001.m4s'), { headers: { Range: `bytes=${SEGMENT.length + 10}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${SEGMENT.length}`);
    expect(past.headers.get('cache-control')).toBeNull();
    expect(await past.json()).toEqual({ error: expect.any(String), code: 'RANGE_NOT_SATISFIABLE' });

    // A stale If-Range: the whole file again.
    const stale = await fetch(url('segment_00001.m4s'), { headers: { Range: 'bytes=0-99', 'If-Range': '"stale"' } });
    expect(stale.status).toBe(200);
    expect((await stale.arrayBuffer()).byteLength).toBe(SEGMENT.length);
  });

  it('answers 304 to a client whose ETag or date still holds', async () => {
    const waveform = `${stack.baseUrl}/v1/stream/job/${jobId}/waveform.json`;
    const first = await fetch(waveform);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    expect(first.headers.get('cache-control')).toBe(`public, ${'max-age=31536000, immutable'}`);
    expect(await first.text()).toBe(WAVEFORM);
    const etag = first.headers.get('etag') ?? '';
    // As a browser revalidates: fetch() would otherwise add `Cache-Control: no-cache`, which `send` takes as "answer in full".
    const revalidate = { 'Cache-Control': 'max-age=0' };
    const byTag = await fetch(waveform, { headers: { ...revalidate, 'If-None-Match': etag } });
    expect(byTag.status).toBe(304);
    expect(byTag.headers.get('etag')).toBe(etag);
    expect(byTag.headers.get('content-type')).toBeNull();
    const byDate = await fetch(waveform, {
      headers: { ...revalidate, 'If-Modified-Since': first.headers.get('last-modified') ?? '' },
    });
    expect(byDate.status).toBe(304);
    const changed = await fetch(waveform, { headers: { ...revalidate, 'If-None-Match': '"something-else"' } });
    expect(changed.status).toBe(200);
    await changed.text();
  });

  it('sends the download as an attachment, and 404 JSON for what is not there', async () => {
    const file = await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}/download`, { method: 'HEAD' });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('audio/mp4');
    expect(file.headers.get('content-length')).toBe(String(download.length));
    expect(file.headers.get('content-disposition')).toBe(
      `attachment; filename="${jobId}.m4a"; filename*=UTF-8''${jobId}.m4a`,
    );

    const missing = await fetch(url('segment_09999.ts'));
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cache-control')).toBeNull();
    expect(await missing.json()).toEqual({ error: expect.any(String), code: 'SEGMENT_NOT_FOUND' });
  });

  if (driver === 'fs') return;

  it('stops reading the bucket when the client leaves mid-download', async () => {
    const before = proxy.stats();
    const leaving = new AbortController();
    const response = await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}/download`, { signal: leaving.signal });
    expect(response.status).toBe(200);
    await response.body?.getReader().read();
    leaving.abort();
    await waitUntil(() => proxy.stats().closed > before.closed, 5_000);
    const stopped = proxy.stats().bytes;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(proxy.stats().bytes).toBe(stopped);
    expect(stopped - before.bytes).toBeLessThan(DOWNLOAD_BYTES / 2);
  });

  it('commits an accepted upload to the bucket, and keeps nothing of a refused one', async () => {
    const track = await readFile(await makeTrack(fixtures, 'tone', { seconds: 2 }));
    const uploadsBefore = (await s3.keys()).filter((key) => key.startsWith('uploads/'));
    const accepted = await submit(stack.baseUrl, new Blob([track]), 'tone.wav', { codec: 'aac' });
    expect(accepted).toMatchObject({ status: 200, body: { status: 'queued' } });
    const uploads = (await s3.keys()).filter((key) => key.startsWith('uploads/') && !uploadsBefore.includes(key));
    expect(uploads).toEqual([expect.stringMatching(/^uploads\/[0-9a-f-]{36}$/)]);
    expect(await stack.settledLeftovers()).toEqual([]);

    const refused = await submit(stack.baseUrl, new Blob(['not audio at all']), 'notes.wav');
    expect(refused.status).toBe(400);
    expect((await s3.keys()).filter((key) => key.startsWith('uploads/'))).toEqual(
      [...uploadsBefore, ...uploads].sort(),
    );
    expect(await stack.settledLeftovers()).toEqual([]);
  });

  it('answers 503 while the bucket is down, keeps nothing, and recovers', async () => {
    const track = await readFile(await makeTrack(fixtures, 'tone', { seconds: 2 }));
    await proxy.down();
    try {
      const refused = await submit(stack.baseUrl, new Blob([track]), 'tone.wav', { codec: 'aac' });
      expect(refused).toEqual({ status: 503, body: { error: expect.any(String), code: 'STORAGE_UNAVAILABLE' } });
      expect(await stack.settledLeftovers()).toEqual([]);

      const health = await fetch(`${stack.baseUrl}/health`);
      expect(health.status).toBe(503);
      expect(await readJson(health)).toMatchObject({ storage: 'unwritable', code: 'STORAGE_UNAVAILABLE' });

      for (const file of ['index.m3u8', 'segment_00002.ts']) {
        const media = await fetch(url(file), { headers: { Range: 'bytes=0-9' } });
        expect({ file, status: media.status, body: await readJson(media) }).toEqual({
          file,
          status: 503,
          body: { error: expect.any(String), code: 'STORAGE_UNAVAILABLE' },
        });
      }
    } finally {
      await proxy.up();
    }
    await waitUntil(async () => (await fetch(`${stack.baseUrl}/health`)).status === 200, 10_000);
  });
});

describe('with MEDIA_PUBLIC_BASE_URL and signed playback', () => {
  const BASE = 'https://cdn.example/media';
  let stack: TestStack;
  let jobId: string;
  const signer = new PlaybackSigner(KEY, 600);
  const env = (): Record<string, string> => ({ ...s3.env, S3_ENDPOINT: proxy.endpoint, S3_PREFIX: 'site-a' });
  const url = (file: string, token?: string) =>
    `${stack.baseUrl}/v1/stream/hls/${jobId}/${file}${token === undefined ? '' : `?token=${token}`}`;

  beforeAll(async () => {
    stack = await startStack('s3-api-redirect', {
      workers: 0,
      env: { ...env(), MEDIA_PUBLIC_BASE_URL: `${BASE}/`, PLAYBACK_SIGNING_KEY: KEY },
    });
    jobId = await publishJob(env(), randomBytes(1_000));
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('checks the token, then redirects media to its public URL, uncached', async () => {
    const unsigned = await fetch(url('segment_00001.m4s'), { redirect: 'manual' });
    expect(unsigned.status).toBe(403);
    expect(await readJson(unsigned)).toMatchObject({ code: 'PLAYBACK_TOKEN_REQUIRED' });
    const forged = await fetch(url('segment_00001.m4s', signer.sign(randomUUID(), 4_000_000_000)), {
      redirect: 'manual',
    });
    expect(forged.status).toBe(403);

    const { token } = signer.issue(jobId);
    for (const file of ['segment_00001.m4s', 'init.mp4']) {
      const moved = await fetch(url(file, token), { redirect: 'manual' });
      expect(moved.status).toBe(302);
      expect(moved.headers.get('location')).toBe(`${BASE}/site-a/hls/${jobId}/${file}`);
      expect(moved.headers.get('cache-control')).toBe('no-store');
      expect(await moved.text()).toBe('');
    }
    for (const [route, name] of [
      ['waveform.json', 'waveform.json'],
      ['download', 'download.m4a'],
    ]) {
      const moved = await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}/${route}?token=${token}`, {
        redirect: 'manual',
      });
      expect(moved.status).toBe(302);
      expect(moved.headers.get('location')).toBe(`${BASE}/site-a/hls/${jobId}/${name}`);
    }
    const missing = await fetch(url('segment_09999.ts', token), { redirect: 'manual' });
    expect(missing.status).toBe(404);
    expect(await readJson(missing)).toMatchObject({ code: 'SEGMENT_NOT_FOUND' });
  });

  it('still serves playlists itself, signed', async () => {
    const { token } = signer.issue(jobId);
    const playlist = await fetch(url('index.m3u8', token), { redirect: 'manual' });
    expect(playlist.status).toBe(200);
    expect(playlist.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    const text = await playlist.text();
    expect(text).toContain(`segment_00001.m4s?token=${token}`);
    expect(text).toContain(`URI="init.mp4?token=${token}"`);
  });
});

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not so after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
