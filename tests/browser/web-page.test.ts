import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { makeTrack } from '../support/media';
import { startStack, submit, type TestStack } from '../support/stack';

/**
 * The web page in a real browser: Debian's Chromium (never a downloaded
 * one) driven by playwright-core, against the real API and a worker
 * in-process. Screenshots land in tests/artifacts/ (gitignored).
 */

const ARTIFACTS = path.join(__dirname, '../artifacts');
const API_KEY = 'web-page-test-key-0123456789';

let browser: Browser;
let stack: TestStack;
let authStack: TestStack;
let dir: string;
let track: string;
let longTrack: string;
let podcast: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'web-page-'));
  await mkdir(ARTIFACTS, { recursive: true });
  [browser, stack, authStack, track, longTrack, podcast] = await Promise.all([
    launchChromium(['--autoplay-policy=no-user-gesture-required']),
    startStack('web-page'),
    startStack('web-page-auth', { env: { API_KEYS: API_KEY } }),
    makeTrack(dir, 'web-tone', { seconds: 6 }),
    makeTrack(dir, 'web-batch', { seconds: 60 }),
    // Ten minutes of MP3: its encode runs for seconds after the first segment is whole.
    makeTrack(dir, 'web-podcast', { seconds: 600, extension: 'mp3', codecArgs: ['-b:a', '96k'] }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([stack?.stop(), authStack?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

/**
 * Runs a JavaScript expression in the page. Strings, not functions: the
 * tests are compiled without the DOM's types, which the page code needs.
 */
function inPage(page: Page, expression: string): Promise<unknown> {
  return page.evaluate(expression);
}

/**
 * Polls an expression until it is truthy. (page.waitForFunction with a
 * string polls through eval(), which the page's CSP rightly refuses.)
 */
async function waitInPage(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await inPage(page, expression))) {
    if (Date.now() > deadline) throw new Error(`still false after ${timeoutMs} ms: ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const HORIZONTAL_OVERFLOW = 'document.documentElement.scrollWidth - document.documentElement.clientWidth';

interface WatchedPage {
  page: Page;
  /** Uncaught exceptions and CSP refusals seen so far. */
  problems: string[];
}

async function openPage(url: string, viewport = { width: 1000, height: 900 }): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text()))
      problems.push(message.text());
  });
  await page.goto(url);
  return { page, problems };
}

async function closePage(watched: WatchedPage): Promise<void> {
  await watched.page.context().close();
}

it('uploads a track, shows upload and job progress reaching 100 %, and plays it with hls.js', async () => {
  const watched = await openPage(`${stack.baseUrl}/`);
  const { page } = watched;
  try {
    await expect(page.title()).resolves.toMatch(/Stream server/);
    await page.setInputFiles('#file-input', track);
    await expect(page.textContent('#file-name')).resolves.toContain('web-tone.wav');
    await page.click('#submit');

    // The player may appear a moment before the job completes (see the live
    // playback test); the finished view shows the VOD playlist's URL.
    await waitInPage(page, `document.getElementById('job-progress').value === 100`, 30_000);
    await page.waitForSelector('#result:not([hidden])', { timeout: 5_000 });
    await waitInPage(page, `document.getElementById('manifest-url').value.endsWith('/index.m3u8')`, 5_000);
    await expect(inPage(page, `document.getElementById('upload-progress').value`)).resolves.toBe(100);
    await expect(inPage(page, `document.getElementById('job-progress').value`)).resolves.toBe(100);
    await expect(page.textContent('#job-percent')).resolves.toBe('100 %');

    const manifest = await page.inputValue('#manifest-url');
    expect(manifest).toMatch(new RegExp(`^${stack.baseUrl}/v1/stream/hls/[0-9a-f-]{36}/index\\.m3u8`));
    await expect(page.getAttribute('#player', 'data-engine')).resolves.toBe('hls.js');
    // Progress came over the SSE stream (read with fetch), not by polling.
    await expect(page.getAttribute('#upload-form', 'data-follow')).resolves.toBe('events');

    // Playback: currentTime must move past 0.5 s (hls.js → MSE → AAC decoder).
    await inPage(page, `document.getElementById('player').play().catch(() => undefined)`);
    await waitInPage(page, `document.getElementById('player').currentTime > 0.5`, 15_000);

    // The waveform endpoint exists on this server: the canvas is shown and drawn.
    await page.waitForSelector('#waveform:not([hidden])', { timeout: 5_000 });
    // Share of the canvas's pixels with ink on them.
    const inked = await inPage(
      page,
      `(() => {
        const canvas = document.getElementById('waveform');
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let count = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) count += 1;
        return count / (canvas.width * canvas.height);
      })()`,
    );
    expect(inked).toBeGreaterThan(0.05);

    await expect(page.isHidden('#error')).resolves.toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-upload-playing.png'), fullPage: true });
    expect(watched.problems).toEqual([]);
  } finally {
    await closePage(watched);
  }
});

it('starts playing from the live playlist while the job is still Processing, and plays on after it completes', async () => {
  const watched = await openPage(`${stack.baseUrl}/`);
  const { page } = watched;
  try {
    await page.setInputFiles('#file-input', podcast);
    await page.click('#submit');
    await waitInPage(page, `document.getElementById('upload-form').dataset.playing === 'live'`, 30_000);
    const live = await page.inputValue('#manifest-url');
    expect(live).toMatch(new RegExp(`^${stack.baseUrl}/v1/stream/hls/[0-9a-f-]{36}/live\\.m3u8$`));
    const jobId = live.split('/')[6] ?? '';
    await waitInPage(page, `document.getElementById('player').currentTime > 0.5`, 15_000);
    // From the beginning (EXT-X-START), not from the live edge tens of seconds in.
    expect(Number(await inPage(page, `document.getElementById('player').currentTime`))).toBeLessThan(5);
    // Heard while the job runs: the whole point.
    const job = (await (await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`)).json()) as { status: string };
    expect(job.status).toBe('Processing');
    await expect(page.getAttribute('#player', 'data-engine')).resolves.toBe('hls.js');

    await waitInPage(page, `document.getElementById('job-progress').value === 100`, 60_000);
    const at = Number(await inPage(page, `document.getElementById('player').currentTime`));
    await waitInPage(page, `document.getElementById('player').currentTime > ${at + 0.5}`, 10_000);
    // Completed: the manifest field now shows the VOD playlist; playback was not restarted.
    await expect(page.inputValue('#manifest-url')).resolves.toMatch(/\/index\.m3u8$/);
    await expect(page.isHidden('#error')).resolves.toBe(true);
    expect(watched.problems).toEqual([]);
  } finally {
    await closePage(watched);
  }
});

it("shows the server's own message for a rejected file", async () => {
  const fake = path.join(dir, 'notes.wav');
  await writeFile(fake, 'these are not the droids you are looking for\n'.repeat(50));
  // What the API itself says about this file, to compare with the page.
  const direct = await submit(
    stack.baseUrl,
    new Blob(['these are not the droids you are looking for\n'.repeat(50)]),
    'notes.wav',
  );
  expect(direct.status).toBe(400);
  const message = String(direct.body['error']);

  const watched = await openPage(`${stack.baseUrl}/`);
  const { page } = watched;
  try {
    await page.setInputFiles('#file-input', fake);
    await page.click('#submit');
    await page.waitForSelector('#error:not([hidden])');
    const shown = await page.textContent('#error');
    expect(shown).toContain(message);
    expect(shown).toContain(String(direct.body['code']));
    await expect(page.isHidden('#result')).resolves.toBe(true);
    expect(watched.problems).toEqual([]);
  } finally {
    await closePage(watched);
  }
});

it('falls back to polling without an event stream, and sends the ABR, loudness and download options', async () => {
  const watched = await openPage(`${stack.baseUrl}/`, { width: 375, height: 740 });
  const { page } = watched;
  try {
    // As a server without SSE would answer (the route's plain JSON 404).
    await page.route('**/v1/stream/job/*/events', (route) =>
      route.fulfill({
        status: 404,
        contentType: 'application/json',
        body: JSON.stringify({ error: 'No such route.', code: 'NOT_FOUND' }),
      }),
    );
    await page.setInputFiles('#file-input', track);
    // This server's OpenAPI document offers them, so the page shows them.
    await page.waitForSelector('#renditions:not([hidden])');
    await page.check('input[name="rendition"][value="low"]');
    await page.check('input[name="rendition"][value="medium"]');
    await page.check('#normalize');
    await page.check('#download');
    await page.click('#submit');
    await page.waitForSelector('#result:not([hidden])', { timeout: 30_000 });
    await expect(page.getAttribute('#upload-form', 'data-follow')).resolves.toBe('polling');
    // The result shows as soon as the ladder is playable live; its details once it has completed.
    await page.waitForSelector('#details > *', { timeout: 30_000 });
    const details = await page.textContent('#details');
    expect(details).toContain('low, medium');
    expect(details).toMatch(/Output loudness-1[0-9](\.\d+)? LUFS/);
    await expect(page.getAttribute('#download-link', 'href')).resolves.toMatch(
      /^\/v1\/stream\/job\/[0-9a-f-]{36}\/download$/,
    );
    await expect(page.isVisible('#download-link')).resolves.toBe(true);
    // The finished view fits a phone too (the manifest URL is long).
    await expect(inPage(page, HORIZONTAL_OVERFLOW)).resolves.toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-phone-result.png'), fullPage: true });
    await expect(page.textContent('#job-percent')).resolves.toBe('100 %');
    await expect(page.isHidden('#error')).resolves.toBe(true);
    // The ladder plays through its multivariant playlist: hls.js sees both rungs.
    await waitInPage(page, `document.getElementById('player').dataset.levels === '2'`, 10_000);
    await inPage(page, `document.getElementById('player').play().catch(() => undefined)`);
    await waitInPage(page, `document.getElementById('player').currentTime > 0.5`, 15_000);
    expect(watched.problems).toEqual([]);
  } finally {
    await closePage(watched);
  }
});

it('asks for an API key when the server needs one, and uploads and reads the queue with it', async () => {
  const watched = await openPage(`${authStack.baseUrl}/ops`);
  const { page } = watched;
  try {
    await page.waitForSelector('#ops-error:not([hidden])');
    await expect(page.textContent('#ops-error')).resolves.toMatch(/API key.*AUTH_REQUIRED/);

    await page.goto(`${authStack.baseUrl}/`);
    await waitInPage(page, `/needs an API key/.test(document.getElementById('key-hint').textContent)`);
    await page.setInputFiles('#file-input', track);
    await page.click('#submit');
    await expect(page.textContent('#error')).resolves.toMatch(/needs an API key/);
    await expect(inPage(page, 'document.activeElement.id')).resolves.toBe('api-key');

    // A wrong key: the server's refusal is shown.
    await page.fill('#api-key', 'not-the-right-key-at-all');
    await page.click('#submit');
    await waitInPage(page, `/INVALID_TOKEN/.test(document.getElementById('error').textContent)`);

    await page.fill('#api-key', API_KEY);
    await page.click('#submit');
    await page.waitForSelector('#result:not([hidden])', { timeout: 30_000 });
    await expect(page.isHidden('#error')).resolves.toBe(true);
    await expect(inPage(page, `sessionStorage.getItem('stream-server.api-key')`)).resolves.toBe(API_KEY);
    // The event stream needs the key too: fetch sends it, where EventSource could not.
    await expect(page.getAttribute('#upload-form', 'data-follow')).resolves.toBe('events');

    // The key stays with the tab: the ops page now reads the queue.
    await page.goto(`${authStack.baseUrl}/ops`);
    await page.waitForSelector('#jobs tr[data-job]');
    await expect(page.isHidden('#ops-error')).resolves.toBe(true);
    expect(watched.problems).toEqual([]);
  } finally {
    await closePage(watched);
  }
});

it('shows a running batch on the ops page: counts, a worker, recent jobs', async () => {
  const file = new Blob([await readFile(longTrack)]);
  const priorities = ['background', 'normal', 'urgent', 'normal', 'background', 'urgent'];
  for (const [index, priority] of priorities.entries()) {
    const result = await submit(stack.baseUrl, file, `batch-${index}.wav`, {
      priority,
      quality_profile: 'hi_res',
      codec: 'opus',
    });
    expect(result.status).toBe(200);
  }

  const watched = await openPage(`${stack.baseUrl}/ops`);
  const { page } = watched;
  try {
    // One worker, six jobs: something is active and something waits.
    await page.waitForSelector('#counts [data-state="active"] dd');
    await waitInPage(
      page,
      `(() => {
        const value = (state) => Number(document.querySelector('#counts [data-state="' + state + '"] dd')?.textContent ?? 0);
        return value('active') >= 1 && value('waiting') >= 1;
      })()`,
    );
    await page.waitForSelector('#workers tr[data-worker]');
    await expect(page.$$eval('#jobs tr[data-job]', (rows) => rows.length)).resolves.toBeGreaterThanOrEqual(6);
    await expect(page.textContent('#jobs')).resolves.toMatch(/batch-\d/);
    await expect(page.textContent('#priorities')).resolves.toMatch(/urgent/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-ops-batch.png'), fullPage: true });
    await expect(page.isHidden('#ops-error')).resolves.toBe(true);
    expect(watched.problems).toEqual([]);
  } finally {
    await closePage(watched);
  }
});

it('reaches the file picker and the submit button by Tab, and fits a 375 px phone', async () => {
  const watched = await openPage(`${stack.baseUrl}/`, { width: 375, height: 740 });
  const { page } = watched;
  try {
    const focused: string[] = [];
    for (let i = 0; i < 20 && !focused.includes('submit'); i += 1) {
      await page.keyboard.press('Tab');
      focused.push(String(await inPage(page, 'document.activeElement.id || document.activeElement.tagName')));
    }
    expect(focused).toContain('file-input');
    expect(focused).toContain('submit');
    expect(focused.indexOf('file-input')).toBeLessThan(focused.indexOf('submit'));

    // Drag and drop: a file dropped on the zone becomes the picker's file.
    await inPage(
      page,
      `(() => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(2048)], 'dropped.wav', { type: 'audio/wav' }));
        document.getElementById('drop-zone').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      })()`,
    );
    await expect(page.textContent('#file-name')).resolves.toContain('dropped.wav');
    await expect(inPage(page, `document.getElementById('file-input').files[0].name`)).resolves.toBe('dropped.wav');

    const overflow = () => inPage(page, HORIZONTAL_OVERFLOW);
    await expect(overflow()).resolves.toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-phone.png'), fullPage: true });

    await page.goto(`${stack.baseUrl}/ops`);
    await page.waitForSelector('#workers tr');
    await expect(overflow()).resolves.toBeLessThanOrEqual(0);
    expect(watched.problems).toEqual([]);
  } finally {
    await closePage(watched);
  }
});
