/**
 * Signed playback URLs, black box, on the real stack: the job's
 * manifest_url carries a token; the playlist served with it names every
 * segment (and fMP4's init.mp4) with the same token; ffmpeg plays it back
 * over HTTP; forged, expired, other jobs' and missing tokens get 403.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PlaybackSigner } from '../../apps/api/src/playback/playback-signer';
import { decodePlaylist, makeTrack } from '../support/media';
import { readJson, startStack, submit, waitForJob, type TestStack } from '../support/stack';

const KEY = 'test-playback-key-0123456789abcdef0123';
const TTL = 600;
const SECONDS = 4;

let stack: TestStack;
let fixtures: string;
let wav: Blob;

beforeAll(async () => {
  fixtures = await mkdtemp(path.join(os.tmpdir(), 'signed-fixtures-'));
  wav = new Blob([await readFile(await makeTrack(fixtures, 'tone', { seconds: SECONDS }))]);
  // Auth stays off here: signed playback works on its own.
  stack = await startStack('signed', {
    env: { PLAYBACK_SIGNING_KEY: KEY, PLAYBACK_TOKEN_TTL_SECONDS: String(TTL), HLS_SEGMENT_SECONDS: '1' },
  });
});

afterAll(async () => {
  await stack?.stop();
  await rm(fixtures, { recursive: true, force: true });
});

async function completedJob(codec: string): Promise<{ id: string; manifestUrl: string; liveUrl: string }> {
  const upload = await submit(stack.baseUrl, wav, 'tone.wav', { codec });
  expect(upload.status).toBe(200);
  const id = String(upload.body['job_id']);
  const job = await waitForJob(stack.baseUrl, id);
  expect(job.status).toBe('Completed');
  return { id, manifestUrl: String(job['manifest_url']), liveUrl: String(job['live_manifest_url']) };
}

/** The URI lines and URI="…" attributes of a playlist. */
function urisOf(playlist: string): string[] {
  const uris: string[] = [];
  for (const line of playlist.split('\n').map((l) => l.trim())) {
    if (line === '') continue;
    if (!line.startsWith('#')) uris.push(line);
    else for (const match of line.matchAll(/URI="([^"]*)"/g)) if (match[1] !== undefined) uris.push(match[1]);
  }
  return uris;
}

async function codeOf(response: Response): Promise<string> {
  return String((await readJson(response))['code']);
}

describe.each([
  ['aac', 'ts', 'aac'],
  ['flac', 'm4s', 'flac'],
])('a %s job (%s segments)', (codec, extension, decodedCodec) => {
  let job: { id: string; manifestUrl: string; liveUrl: string };
  const hls = (file: string, query = ''): string => `${stack.baseUrl}/v1/stream/hls/${job.id}/${file}${query}`;

  beforeAll(async () => {
    job = await completedJob(codec);
  });

  it('manifest_url carries a token valid for the configured lifetime', () => {
    const match = /^\/v1\/stream\/hls\/([0-9a-f-]+)\/index\.m3u8\?token=([0-9]+)\.([A-Za-z0-9_-]{43})$/.exec(
      job.manifestUrl,
    );
    expect(match?.[1]).toBe(job.id);
    const expires = Number(match?.[2]);
    const now = Math.floor(Date.now() / 1000);
    expect(expires).toBeGreaterThan(now + TTL - 30);
    expect(expires).toBeLessThanOrEqual(now + TTL);
  });

  it('the manifest and every segment it names play with the token', async () => {
    const manifest = await fetch(`${stack.baseUrl}${job.manifestUrl}`);
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(manifest.headers.get('cache-control')).toBe('private, max-age=60');
    const playlist = await manifest.text();
    const token = new URL(job.manifestUrl, stack.baseUrl).searchParams.get('token');
    const uris = urisOf(playlist);
    expect(uris.length).toBeGreaterThanOrEqual(SECONDS);
    if (extension === 'm4s') expect(playlist).toContain(`#EXT-X-MAP:URI="init.mp4?token=${token}"`);
    for (const uri of uris) {
      expect(uri).toMatch(new RegExp(`^(segment_\\d{5}\\.${extension}|init\\.mp4)\\?token=${token}$`));
      const segment = await fetch(new URL(uri, `${stack.baseUrl}${job.manifestUrl}`));
      expect(segment.status).toBe(200);
      expect(segment.headers.get('cache-control')).toMatch(/^private, max-age=(\d+)$/);
      const maxAge = Number(/max-age=(\d+)/.exec(segment.headers.get('cache-control') ?? '')?.[1]);
      expect(maxAge).toBeGreaterThan(TTL - 30);
      expect(maxAge).toBeLessThanOrEqual(TTL);
      expect((await segment.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
  });

  it('the live playlist is signed the same way: its URL and every URI in it carry the token', async () => {
    const token = new URL(job.manifestUrl, stack.baseUrl).searchParams.get('token');
    expect(job.liveUrl).toBe(`/v1/stream/hls/${job.id}/live.m3u8?token=${token}`);
    const live = await fetch(`${stack.baseUrl}${job.liveUrl}`);
    expect(live.status).toBe(200);
    const uris = urisOf(await live.text());
    expect(uris.length).toBeGreaterThan(0);
    for (const uri of uris) expect(uri).toMatch(new RegExp(`\\?token=${token}$`));
  });

  it('decodes back over HTTP through the signed URL', async () => {
    const decoded = await decodePlaylist(`${stack.baseUrl}${job.manifestUrl}`);
    expect(decoded.codec).toBe(decodedCodec);
    expect(Math.abs(decoded.durationSeconds - SECONDS)).toBeLessThan(0.15);
  });

  const first = (): string => (extension === 'm4s' ? 'init.mp4' : `segment_00001.${extension}`);

  it('no token → 403 PLAYBACK_TOKEN_REQUIRED on the manifest and on segments', async () => {
    for (const url of [hls('index.m3u8'), hls('live.m3u8'), hls(first()), hls(first(), '?token=')]) {
      const response = await fetch(url);
      expect(response.status).toBe(403);
      expect(await codeOf(response)).toBe('PLAYBACK_TOKEN_REQUIRED');
    }
  });

  it('a forged token → 403 PLAYBACK_TOKEN_INVALID', async () => {
    const token = new URL(job.manifestUrl, stack.baseUrl).searchParams.get('token') ?? '';
    const forged = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    const extended = token.replace(/^(\d+)/, (expires) => String(Number(expires) + 86_400));
    const forger = new PlaybackSigner('not-the-key-0123456789abcdef0123456789', TTL);
    for (const bad of [forged, extended, forger.issue(job.id).token, 'garbage']) {
      for (const file of ['index.m3u8', first()]) {
        const response = await fetch(hls(file, `?token=${encodeURIComponent(bad)}`));
        expect(response.status).toBe(403);
        expect(await codeOf(response)).toBe('PLAYBACK_TOKEN_INVALID');
      }
    }
  });

  it('an expired token → 403 PLAYBACK_TOKEN_EXPIRED', async () => {
    const stale = new PlaybackSigner(KEY, TTL).sign(job.id, Math.floor(Date.now() / 1000) - 1);
    for (const file of ['index.m3u8', first()]) {
      const response = await fetch(hls(file, `?token=${stale}`));
      expect(response.status).toBe(403);
      expect(await codeOf(response)).toBe('PLAYBACK_TOKEN_EXPIRED');
    }
  });

  it("another job's token → 403 PLAYBACK_TOKEN_INVALID", async () => {
    const other = await completedJob('aac');
    const otherToken = new URL(other.manifestUrl, stack.baseUrl).searchParams.get('token') ?? '';
    for (const file of ['index.m3u8', first()]) {
      const response = await fetch(hls(file, `?token=${otherToken}`));
      expect(response.status).toBe(403);
      expect(await codeOf(response)).toBe('PLAYBACK_TOKEN_INVALID');
    }
    // …while it still opens its own job.
    expect((await fetch(`${stack.baseUrl}${other.manifestUrl}`)).status).toBe(200);
  });
});
