/**
 * Progressive playback: a job's live playlist, served while it encodes,
 * over real HTTP against the real API, a worker, Redis and ffmpeg; its
 * `playable` SSE event and webhook; and what a cancel does to it.
 */
import http from 'node:http';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeTrack } from '../support/media';
import { readJson, startStack, submit, waitForJob, type TestStack } from '../support/stack';

let dir: string;
let stack: TestStack;
let long: Blob;
let hooks: Array<Record<string, unknown>>;
let receiver: http.Server;
let receiverUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'live-'));
  hooks = [];
  receiver = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed === 'object' && parsed !== null) hooks.push(Object.fromEntries(Object.entries(parsed)));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const address = receiver.address();
  receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/hook`;
  // Long enough (5 min of MP3) that the encode runs for seconds after the first segment.
  const file = await makeTrack(dir, 'long', { seconds: 300, extension: 'mp3', codecArgs: ['-b:a', '128k'] });
  long = new Blob([await readFile(file)]);
  stack = await startStack('live', {
    env: { WEBHOOK_SECRET: 'live-playback-test-secret-0123456789', WEBHOOK_ALLOW_PRIVATE: 'true' },
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function getJob(id: string): Promise<Record<string, unknown>> {
  return readJson(await fetch(`${stack.baseUrl}/v1/stream/job/${id}`));
}

/** Polls the job body until `live_manifest_url` is set (or the job ended). */
async function untilPlayable(id: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(id);
    if (job['live_manifest_url'] !== null || job['status'] !== 'Pending') {
      if (job['live_manifest_url'] !== null) return job;
    }
    if (Date.now() > deadline) throw new Error(`job ${id} not playable: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function segmentsOf(playlist: string): string[] {
  return playlist.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

it('serves a growing EVENT playlist while the job runs, then ends it; index.m3u8 keeps its contract', async () => {
  const submitted = await submit(stack.baseUrl, long, 'long.mp3', { callback_url: receiverUrl });
  expect(submitted.status).toBe(200);
  const id = String(submitted.body['job_id']);
  const liveUrl = `/v1/stream/hls/${id}/live.m3u8`;

  const playable = await untilPlayable(id);
  expect(playable['status']).toBe('Processing');
  expect(playable['live_manifest_url']).toBe(liveUrl);
  expect(playable['manifest_url']).toBeNull();

  const live = await fetch(`${stack.baseUrl}${liveUrl}`);
  expect(live.status).toBe(200);
  expect(live.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
  expect(live.headers.get('cache-control')).toBe('no-cache');
  const running = await live.text();
  expect(running).toContain('#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-START:TIME-OFFSET=0\n');
  expect(running).not.toContain('#EXT-X-ENDLIST');
  const early = segmentsOf(running);
  expect(early.length).toBeGreaterThan(0);
  const firstSegment = await fetch(`${stack.baseUrl}/v1/stream/hls/${id}/${early[0]}`);
  expect(firstSegment.status).toBe(200);
  expect(firstSegment.headers.get('content-type')).toBe('video/mp2t');
  expect(firstSegment.headers.get('cache-control')).toBe('no-cache');
  const liveBytes = Buffer.from(await firstSegment.arrayBuffer());
  // The seed's playlist still answers 400 until Completed.
  const index = await fetch(`${stack.baseUrl}/v1/stream/hls/${id}/index.m3u8`);
  expect(index.status).toBe(400);
  expect((await readJson(index))['code']).toBe('JOB_NOT_COMPLETED');

  const done = await waitForJob(stack.baseUrl, id, 120_000);
  expect(done.status).toBe('Completed');
  expect(done['live_manifest_url']).toBe(liveUrl);
  const ended = await (await fetch(`${stack.baseUrl}${liveUrl}`)).text();
  expect(ended).toContain('#EXT-X-ENDLIST');
  const vod = await (await fetch(`${stack.baseUrl}/v1/stream/hls/${id}/index.m3u8`)).text();
  expect(vod).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
  // Same segments, same URLs, same bytes: what a live listener fetched is the final file.
  expect(segmentsOf(ended)).toEqual(segmentsOf(vod));
  expect(segmentsOf(ended).slice(0, early.length)).toEqual(early);
  const published = await fetch(`${stack.baseUrl}/v1/stream/hls/${id}/${early[0]}`);
  expect(published.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  expect(Buffer.from(await published.arrayBuffer()).equals(liveBytes)).toBe(true);
  // The live copy is gone once the output is published.
  expect(await readdir(path.join(stack.config.storageDir, 'live'))).toEqual([]);

  // The playable webhook went out, before the completed one.
  const deadline = Date.now() + 10_000;
  while (!hooks.some((hook) => hook['type'] === 'transcode.completed') && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const types = hooks.filter((hook) => String(hook['id']).startsWith(id)).map((hook) => hook['type']);
  expect(types).toEqual(['transcode.playable', 'transcode.completed']);
  const playableHook = hooks.find((hook) => hook['type'] === 'transcode.playable');
  expect(playableHook?.['data']).toMatchObject({ job_id: id, live_manifest_url: liveUrl });
}, 150_000);

it('tells SSE clients once, with the body that holds live_manifest_url', async () => {
  const submitted = await submit(stack.baseUrl, long, 'long.mp3');
  const id = String(submitted.body['job_id']);
  const response = await fetch(`${stack.baseUrl}/v1/stream/job/${id}/events`);
  const reader = response.body?.getReader();
  if (!reader) throw new Error('no body');
  const decoder = new TextDecoder();
  let text = '';
  while (!/event: (?:completed|failed|cancelled)\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n/g)].map((match) => match[1]);
  expect(events.filter((event) => event === 'playable')).toHaveLength(1);
  const playable = /event: playable\ndata: (.*)\n/.exec(text)?.[1] ?? '{}';
  expect(JSON.parse(playable)).toMatchObject({
    status: 'Processing',
    live_manifest_url: `/v1/stream/hls/${id}/live.m3u8`,
  });
  expect(events.indexOf('playable')).toBeLessThan(events.indexOf('completed'));
}, 150_000);

it('stops serving the live playlist and its segments the moment a playable job is cancelled', async () => {
  const submitted = await submit(stack.baseUrl, long, 'long.mp3');
  const id = String(submitted.body['job_id']);
  const playable = await untilPlayable(id);
  const running = await (await fetch(`${stack.baseUrl}${String(playable['live_manifest_url'])}`)).text();
  const [segment] = segmentsOf(running);

  const cancel = await fetch(`${stack.baseUrl}/v1/stream/job/${id}`, { method: 'DELETE' });
  expect(cancel.status).toBe(200);
  const live = await fetch(`${stack.baseUrl}/v1/stream/hls/${id}/live.m3u8`);
  expect(live.status).toBe(404);
  expect((await readJson(live))['code']).toBe('MANIFEST_NOT_FOUND');
  const seg = await fetch(`${stack.baseUrl}/v1/stream/hls/${id}/${String(segment)}`);
  expect(seg.status).toBe(404);
  expect((await getJob(id))['live_manifest_url']).toBeNull();
  // The worker removes the live copy as it stops.
  const deadline = Date.now() + 10_000;
  while ((await readdir(path.join(stack.config.storageDir, 'live'))).length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(await readdir(path.join(stack.config.storageDir, 'live'))).toEqual([]);
}, 60_000);
