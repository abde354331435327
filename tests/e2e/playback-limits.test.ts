/**
 * Playback (playlists, segments, init.mp4) is not counted against the reads
 * budget: players behind one NAT address fetch a segment every few seconds
 * each. It has a budget of its own, off unless RATE_LIMIT_PLAYBACK_PER_MINUTE
 * is set; with it off, segments are served from the in-memory cache.
 *
 * The HLS output is written straight into STORAGE_DIR (the routes serve
 * what is on disk), so no worker or ffmpeg is needed.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readJson, startStack, type TestStack } from '../support/stack';

const PLAYLIST = [
  '#EXTM3U',
  '#EXT-X-VERSION:7',
  '#EXT-X-TARGETDURATION:6',
  '#EXT-X-MAP:URI="init.mp4"',
  '#EXTINF:6.0,',
  'segment_00000.m4s',
  '#EXTINF:6.0,',
  'segment_00001.m4s',
  '#EXT-X-ENDLIST',
  '',
].join('\n');
const SEGMENT_CACHE = 'public, max-age=31536000, immutable';

/** A finished job's output as a worker publishes it: root playlist, init.mp4, segments, one rung. */
async function publishFakeOutput(stack: TestStack): Promise<string> {
  const jobId = randomUUID();
  const dir = path.join(stack.config.storageDir, 'hls', jobId);
  await mkdir(path.join(dir, 'high'), { recursive: true });
  for (const folder of [dir, path.join(dir, 'high')]) {
    await writeFile(path.join(folder, 'index.m3u8'), PLAYLIST);
    await writeFile(path.join(folder, 'init.mp4'), Buffer.alloc(600, 1));
    await writeFile(path.join(folder, 'segment_00000.m4s'), Buffer.alloc(4000, 2));
    await writeFile(path.join(folder, 'segment_00001.m4s'), Buffer.alloc(4000, 3));
  }
  return jobId;
}

/** Every playback URL of that output, the way a player walks them. */
function playbackUrls(stack: TestStack, jobId: string): string[] {
  const base = `${stack.baseUrl}/v1/stream/hls/${jobId}`;
  return ['', '/high'].flatMap((rung) =>
    ['index.m3u8', 'init.mp4', 'segment_00000.m4s', 'segment_00001.m4s'].map((file) => `${base}${rung}/${file}`),
  );
}

/** GETs `count` URLs (cycling through `urls`), 25 at a time; resolves with every status. */
async function getMany(urls: readonly string[], count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let start = 0; start < count; start += 25) {
    const batch = Array.from({ length: Math.min(25, count - start) }, (_, i) => urls[(start + i) % urls.length] ?? '');
    const answers = await Promise.all(
      batch.map(async (url) => {
        const response = await fetch(url);
        await response.arrayBuffer();
        return response.status;
      }),
    );
    statuses.push(...answers);
  }
  return statuses;
}

/** The `remaining=` of a draft-7 `RateLimit` header. */
function remaining(response: Response): number {
  const match = /remaining=(\d+)/.exec(response.headers.get('ratelimit') ?? '');
  if (!match?.[1]) throw new Error(`no RateLimit header: ${response.headers.get('ratelimit')}`);
  return Number(match[1]);
}

/** GET of a job that does not exist: a read, counted like any other (404). */
const jobRead = (stack: TestStack) => fetch(`${stack.baseUrl}/v1/stream/job/${randomUUID()}`);

/**
 * A job read that Redis counted: the limiter lets a request through
 * uncounted when Redis is slow to answer (fail open), which a loaded
 * machine can cause on the first one, while it loads its script.
 */
async function countedJobRead(stack: TestStack): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const response = await jobRead(stack);
    if (response.headers.get('ratelimit') !== null || attempt === 5) return response;
    await response.arrayBuffer();
  }
}

describe('default configuration', () => {
  let stack: TestStack;
  let jobId: string;

  beforeAll(async () => {
    // Empty values count as unset: every rate limit at its shipped default.
    stack = await startStack('playback-defaults', {
      workers: 0,
      env: { RATE_LIMIT_SUBMITS_PER_MINUTE: '', RATE_LIMIT_READS_PER_MINUTE: '', RATE_LIMIT_PLAYBACK_PER_MINUTE: '' },
    });
    jobId = await publishFakeOutput(stack);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('ships a reads budget and no playback budget', () => {
    expect(stack.config.rateLimitReadsPerMinute).toBe(1200);
    expect(stack.config.rateLimitPlaybackPerMinute).toBe(0);
  });

  it('answers more playback GETs from one IP than the whole reads budget, none 429, none counted as reads', async () => {
    const before = await countedJobRead(stack);
    expect(before.status).toBe(404);
    expect(before.headers.get('ratelimit-policy')).toBe('1200;w=60');
    const left = remaining(before);

    const statuses = await getMany(playbackUrls(stack, jobId), 1300);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    const playlist = await fetch(playbackUrls(stack, jobId)[0] ?? '');
    expect(playlist.headers.get('ratelimit')).toBeNull();
    await playlist.text();

    // Reads are still limited, and 1300 playback GETs took nothing from them.
    const after = await countedJobRead(stack);
    expect(after.status).toBe(404);
    expect(remaining(after)).toBe(left - 1);
  });

  it('keeps the segment cache on: a segment once served outlives its file', async () => {
    const file = path.join(stack.config.storageDir, 'hls', jobId, 'segment_00001.m4s');
    const url = `${stack.baseUrl}/v1/stream/hls/${jobId}/segment_00001.m4s`;
    await (await fetch(url)).arrayBuffer();
    // The cache loads a segment just after Express has answered it.
    await new Promise((resolve) => setTimeout(resolve, 150));
    await rm(file);
    const fromMemory = await fetch(url);
    expect(fromMemory.status).toBe(200);
    expect(fromMemory.headers.get('cache-control')).toBe(SEGMENT_CACHE);
    expect(fromMemory.headers.get('x-request-id')).toBeTruthy();
    expect(Buffer.from(await fromMemory.arrayBuffer()).equals(Buffer.alloc(4000, 3))).toBe(true);
  });
});

it('limits other reads while playback from the same IP goes on', async () => {
  const stack = await startStack('playback-reads', { workers: 0, env: { RATE_LIMIT_READS_PER_MINUTE: '5' } });
  try {
    const jobId = await publishFakeOutput(stack);
    const reads: number[] = [];
    for (let i = 0; i < 6; i++) reads.push((await jobRead(stack)).status);
    expect(reads).toEqual([404, 404, 404, 404, 404, 429]);
    const jobs = await fetch(`${stack.baseUrl}/v1/stream/jobs`);
    expect(jobs.status).toBe(429);
    expect(await readJson(jobs)).toEqual({ error: expect.any(String), code: 'RATE_LIMITED' });

    const statuses = await getMany(playbackUrls(stack, jobId), 200);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
  } finally {
    await stack.stop();
  }
});

it('counts playback against RATE_LIMIT_PLAYBACK_PER_MINUTE when set, on its own budget and without the cache', async () => {
  const stack = await startStack('playback-limit', {
    workers: 0,
    env: { RATE_LIMIT_PLAYBACK_PER_MINUTE: '6', RATE_LIMIT_READS_PER_MINUTE: '100' },
  });
  try {
    const jobId = await publishFakeOutput(stack);
    const [playlist, init, segment] = playbackUrls(stack, jobId);
    const first = await fetch(segment ?? '');
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe('6;w=60');
    await first.arrayBuffer();
    // No cache in front: every GET must reach the limiter, so a deleted segment is gone at once.
    await new Promise((resolve) => setTimeout(resolve, 150));
    await rm(path.join(stack.config.storageDir, 'hls', jobId, 'segment_00000.m4s'));
    const gone = await fetch(segment ?? '');
    expect(gone.status).toBe(404);
    expect(await readJson(gone)).toEqual({ error: expect.any(String), code: 'SEGMENT_NOT_FOUND' });

    const statuses = await getMany([playlist ?? '', init ?? ''], 5);
    // Sent at once, so which one comes last is not known.
    expect([...statuses].sort()).toEqual([200, 200, 200, 200, 429]);
    const limited = await fetch(playlist ?? '');
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await readJson(limited)).toEqual({ error: expect.stringContaining('6 a minute'), code: 'RATE_LIMITED' });

    // The reads budget is a separate one.
    const read = await countedJobRead(stack);
    expect(read.status).toBe(404);
    expect(remaining(read)).toBe(99);
  } finally {
    await stack.stop();
  }
});
