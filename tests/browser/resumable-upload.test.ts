import http from 'node:http';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { makeTrack } from '../support/media';
import { startStack, type TestStack } from '../support/stack';

/**
 * The upload page's tus uploads in Chromium (Debian's, never a downloaded
 * one): a connection cut mid-upload, and a page reload mid-upload, both go
 * on from the bytes the server already has. The page is loaded through a
 * proxy that slows PATCH bodies (on loopback a file is in before anything
 * can happen) and counts what it passes on, so the test knows what the
 * server received.
 */

/** PATCH bodies pass at about this rate: a 1.4 MB track takes some 3 s. */
const BYTES_PER_SECOND = 512 * 1024;

interface PatchSeen {
  /** Upload-Offset as sent. */
  readonly offset: number;
  /** Bytes passed on to the API. */
  forwarded: number;
  cut: boolean;
}

/** A proxy to the API: PATCHes to tus are slowed and recorded, and one can be cut after some bytes. */
class UploadProxy {
  readonly patches: PatchSeen[] = [];
  readonly creations: string[] = [];
  /** Cut the next PATCH (both sides) once this many of its bytes are through. */
  cutNextPatchAfter: number | null = null;
  private readonly server: http.Server;

  constructor(private readonly target: URL) {
    this.server = http.createServer((req, res) => this.forward(req, res));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const upstream = http.request(
      { host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    // The browser went away (a reload, say): the API sees the connection drop too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    const isTus = (req.url ?? '').startsWith('/v1/stream/uploads');
    if (isTus && req.method === 'POST') this.creations.push(req.url ?? '');
    if (!isTus || req.method !== 'PATCH') {
      req.pipe(upstream);
      return;
    }
    const seen: PatchSeen = { offset: Number(req.headers['upload-offset']), forwarded: 0, cut: false };
    this.patches.push(seen);
    const cutAfter = this.cutNextPatchAfter;
    this.cutNextPatchAfter = null;
    // Read from the browser at once, so its going away is seen at once; passed on at the slow rate.
    const queue: Buffer[] = [];
    let ended = false;
    let pumping = false;
    const pump = (): void => {
      const chunk = queue.shift();
      if (seen.cut || upstream.destroyed) return;
      if (!chunk) {
        pumping = false;
        if (ended) upstream.end();
        return;
      }
      pumping = true;
      const piece = chunk.subarray(0, 16 * 1024);
      if (piece.length < chunk.length) queue.unshift(chunk.subarray(piece.length));
      upstream.write(piece);
      seen.forwarded += piece.length;
      if (cutAfter !== null && seen.forwarded >= cutAfter) {
        seen.cut = true;
        upstream.destroy();
        req.socket.destroy();
        return;
      }
      setTimeout(pump, (piece.length / BYTES_PER_SECOND) * 1000);
    };
    req.on('data', (chunk: Buffer) => {
      queue.push(chunk);
      if (!pumping) pump();
    });
    req.on('end', () => {
      ended = true;
      if (!pumping) pump();
    });
  }
}

let browser: Browser;
let stack: TestStack;
let proxy: UploadProxy;
let baseUrl: string;
let dir: string;
let track: string;
let size: number;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'resumable-upload-'));
  [browser, stack, track] = await Promise.all([
    launchChromium(),
    startStack('resumable-upload'),
    makeTrack(dir, 'resumable-tone', { seconds: 8 }),
  ]);
  size = (await stat(track)).size;
  proxy = new UploadProxy(new URL(stack.baseUrl));
  baseUrl = await proxy.start();
});

afterAll(async () => {
  await browser?.close();
  await proxy?.stop();
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Polls an expression in the page (page.waitForFunction would eval(), which the CSP refuses). */
async function waitInPage(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`still false after ${timeoutMs} ms: ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Watched {
  page: Page;
  /** Upload-Offset of every PATCH the page sent, in order. */
  patchOffsets: number[];
  problems: string[];
}

async function openPage(): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  const watched: Watched = { page, patchOffsets: [], problems: [] };
  page.on('request', (request) => {
    if (request.method() === 'PATCH') watched.patchOffsets.push(Number(request.headers()['upload-offset']));
  });
  page.on('pageerror', (error) => watched.problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text()))
      watched.problems.push(message.text());
  });
  await page.goto(`${baseUrl}/`);
  return watched;
}

async function expectJobShown(page: Page): Promise<void> {
  await waitInPage(page, `document.getElementById('job-progress').value === 100`, 30_000);
  await page.waitForSelector('#result:not([hidden])', { timeout: 5_000 });
  await waitInPage(page, `document.getElementById('manifest-url').value.endsWith('/index.m3u8')`, 5_000);
  await expect(page.isHidden('#error')).resolves.toBe(true);
  await expect(page.evaluate(`document.getElementById('upload-progress').value`)).resolves.toBe(100);
  await expect(page.textContent('#upload-bytes')).resolves.toMatch(/^([\d.]+ MB) of \1$/);
}

/** tus-js-client's entries in localStorage (its fingerprints of unfinished uploads). */
function storedUploads(page: Page): Promise<unknown> {
  return page.evaluate(`Object.keys(localStorage).filter((key) => key.startsWith('tus::')).length`);
}

it('goes on from the server’s offset after the connection drops mid-upload, and shows the job', async () => {
  const watched = await openPage();
  const { page } = watched;
  const firstPatch = proxy.patches.length;
  try {
    proxy.cutNextPatchAfter = 384 * 1024;
    await page.setInputFiles('#file-input', track);
    await page.click('#submit');
    await expectJobShown(page);

    const patches = proxy.patches.slice(firstPatch);
    const cut = patches[0];
    const last = patches[patches.length - 1];
    expect(cut).toMatchObject({ offset: 0, cut: true });
    // Resumed where the server stood (at most what reached it), not from zero.
    expect(last?.offset).toBeGreaterThan(0);
    expect(last?.offset).toBeLessThanOrEqual(cut?.forwarded ?? 0);
    expect(last?.forwarded).toBe(size - (last?.offset ?? 0));
    // The page's own requests say the same.
    expect(watched.patchOffsets[0]).toBe(0);
    expect(watched.patchOffsets[watched.patchOffsets.length - 1]).toBe(last?.offset);
    // Done: nothing left to resume.
    await expect(storedUploads(page)).resolves.toBe(0);
    expect(watched.problems).toEqual([]);
  } finally {
    await page.context().close();
  }
});

it('resumes after a page reload mid-upload once the same file is chosen again', async () => {
  const watched = await openPage();
  const { page } = watched;
  const firstPatch = proxy.patches.length;
  try {
    await page.selectOption('#codec', 'opus');
    await page.setInputFiles('#file-input', track);
    await page.click('#submit');
    await waitFor(() => (proxy.patches[firstPatch]?.forwarded ?? 0) >= 384 * 1024, 'a third of the file');
    await page.reload();
    const stoppedAt = proxy.patches[firstPatch]?.forwarded ?? 0;
    const creations = proxy.creations.length;
    await expect(storedUploads(page)).resolves.toBe(1);

    // The same file with the same settings: the page finds the earlier upload.
    await page.selectOption('#codec', 'opus');
    await page.setInputFiles('#file-input', track);
    await page.click('#submit');
    await expectJobShown(page);

    const resumed = proxy.patches.slice(firstPatch + 1);
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    expect(resumed[0]?.offset).toBeGreaterThan(0);
    expect(resumed[0]?.offset).toBeLessThanOrEqual(stoppedAt);
    expect(stoppedAt).toBeLessThan(size);
    expect(resumed.reduce((sum, patch) => sum + patch.forwarded, 0)).toBe(size - (resumed[0]?.offset ?? 0));
    expect(watched.patchOffsets[1]).toBe(resumed[0]?.offset);
    // No second upload was created.
    expect(proxy.creations.length).toBe(creations);
    await expect(page.textContent('#details')).resolves.toContain('opus');
    await expect(storedUploads(page)).resolves.toBe(0);
    expect(watched.problems).toEqual([]);
  } finally {
    await page.context().close();
  }
});
