import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseAllowList } from '../src/allow-list';
import { LocalWriteError } from '../src/body-to-file';
import { fetchToFile, type FetchToFileOptions } from '../src/fetch-to-file';
import { startLoopbackOrigin, type LoopbackOrigin } from '../../../tests/support/loopback-origin';

/**
 * fetchToFile against real HTTP servers on loopback, allowed in through
 * the allow-list (`127.0.0.1:<port>`), as an operator would allow an
 * internal origin.
 */

const BODY = randomBytes(300 * 1024);
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let origin: LoopbackOrigin;
let dir: string;
let options: FetchToFileOptions;
const target = () => path.join(dir, 'source.bin');

beforeAll(async () => {
  origin = await startLoopbackOrigin((request, response) => {
    switch (request.url) {
      case '/file':
        response.writeHead(200, { 'Content-Type': 'audio/mpeg', 'Content-Length': BODY.length }).end(BODY);
        return;
      case '/chunked': {
        // No Content-Length: the size is only known by counting.
        response.writeHead(200, { 'Content-Type': 'audio/wav' });
        let sent = 0;
        const more = (): void => {
          while (sent < BODY.length) {
            const chunk = BODY.subarray(sent, sent + 16 * 1024);
            sent += chunk.length;
            if (!response.write(chunk)) {
              response.once('drain', more);
              return;
            }
          }
          response.end();
        };
        more();
        return;
      }
      case '/announced-huge':
        response.writeHead(200, { 'Content-Length': String(10 * 1024 * 1024 * 1024) });
        response.write(BODY.subarray(0, 1024));
        return; // never finishes: the announcement alone must fail it
      case '/stall-head':
        return; // never answers
      case '/stall-body':
        response.writeHead(200, { 'Content-Length': BODY.length });
        response.write(BODY.subarray(0, 4096));
        return; // sends some bytes, then nothing
      case '/short':
        response.writeHead(200, { 'Content-Length': BODY.length });
        response.end(BODY.subarray(0, 1000));
        request.socket.destroy();
        return;
      case '/no-type':
        response.removeHeader('Content-Type');
        response.writeHead(200).end('x');
        return;
      case '/missing':
        response.writeHead(404).end('not here');
        return;
      case '/broken':
        response.writeHead(500).end('oops');
        return;
      case '/redirect-without-location':
        response.writeHead(302).end();
        return;
      default:
        response.writeHead(404).end();
    }
  });
});

afterAll(async () => {
  await origin.close();
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'outbound-fetch-'));
  options = { maxBytes: 1024 * 1024, timeoutMs: 5_000, allowList: parseAllowList(`127.0.0.1:${origin.port}`) };
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectNothingLeft(): Promise<void> {
  expect(await readdir(dir)).toEqual([]);
}

describe('fetchToFile', () => {
  it('streams the body into the file and reports it', async () => {
    const fetched = await fetchToFile(origin.url('/file'), target(), options);
    expect(fetched).toEqual({ bytes: BODY.length, finalUrl: origin.url('/file'), contentType: 'audio/mpeg' });
    expect(sha256(await readFile(target()))).toBe(sha256(BODY));
    const request = origin.requests.at(-1);
    expect(request?.method).toBe('GET');
    expect(request?.headers['user-agent']).toBe('stream-server-fetch/1');
  });

  it('streams a chunked body of unknown length', async () => {
    const fetched = await fetchToFile(new URL(origin.url('/chunked')), target(), options);
    expect(fetched.bytes).toBe(BODY.length);
    expect(sha256(await readFile(target()))).toBe(sha256(BODY));
  });

  it('accepts a body of exactly maxBytes', async () => {
    const fetched = await fetchToFile(origin.url('/chunked'), target(), { ...options, maxBytes: BODY.length });
    expect(fetched.bytes).toBe(BODY.length);
  });

  it('reports a missing Content-Type as null', async () => {
    await expect(fetchToFile(origin.url('/no-type'), target(), options)).resolves.toMatchObject({ contentType: null });
  });

  it('refuses a body announced over maxBytes before reading it', async () => {
    await expect(fetchToFile(origin.url('/announced-huge'), target(), options)).rejects.toMatchObject({
      code: 'SOURCE_TOO_LARGE',
      kind: 'too-large',
    });
    await expectNothingLeft();
  });

  it('stops a body that grows past maxBytes while streaming, and removes the partial file', async () => {
    await expect(
      fetchToFile(origin.url('/chunked'), target(), { ...options, maxBytes: 100 * 1024 }),
    ).rejects.toMatchObject({ code: 'SOURCE_TOO_LARGE' });
    await expectNothingLeft();
    // The same with a truthful Content-Length just over the limit is refused up front.
    await expect(
      fetchToFile(origin.url('/file'), target(), { ...options, maxBytes: BODY.length - 1 }),
    ).rejects.toMatchObject({ code: 'SOURCE_TOO_LARGE' });
    await expectNothingLeft();
  });

  it.each(['/stall-head', '/stall-body'])('gives up on %s after timeoutMs for the whole fetch', async (route) => {
    const started = Date.now();
    await expect(fetchToFile(origin.url(route), target(), { ...options, timeoutMs: 400 })).rejects.toMatchObject({
      code: 'SOURCE_FETCH_TIMEOUT',
      kind: 'upstream-timeout',
    });
    expect(Date.now() - started).toBeLessThan(3_000);
    await expectNothingLeft();
  });

  it('stops when the caller aborts, with the caller’s reason', async () => {
    const controller = new AbortController();
    const reason = new Error('job cancelled');
    setTimeout(() => controller.abort(reason), 200);
    await expect(
      fetchToFile(origin.url('/stall-body'), target(), { ...options, signal: controller.signal }),
    ).rejects.toBe(reason);
    await expectNothingLeft();
    const already = AbortSignal.abort(reason);
    const before = origin.connections;
    await expect(fetchToFile(origin.url('/file'), target(), { ...options, signal: already })).rejects.toBe(reason);
    expect(origin.connections).toBe(before);
  });

  it('fails on a body cut short by the origin', async () => {
    await expect(fetchToFile(origin.url('/short'), target(), options)).rejects.toMatchObject({
      code: 'SOURCE_URL_INVALID',
    });
    await expectNothingLeft();
  });

  it.each([
    ['/missing', 404],
    ['/broken', 500],
    ['/redirect-without-location', 302],
  ])('fails on %s (HTTP %d) without creating the file', async (route, status) => {
    await expect(fetchToFile(origin.url(route), target(), options)).rejects.toMatchObject({
      code: 'SOURCE_URL_INVALID',
      message: expect.stringContaining(`HTTP ${status}`),
    });
    await expectNothingLeft();
  });

  it('fails when nothing listens', async () => {
    const closed = await startLoopbackOrigin();
    await closed.close();
    await expect(
      fetchToFile(`http://127.0.0.1:${closed.port}/x`, target(), {
        ...options,
        allowList: parseAllowList(`127.0.0.1:${closed.port}`),
      }),
    ).rejects.toMatchObject({ code: 'SOURCE_URL_INVALID', message: expect.stringContaining('ECONNREFUSED') });
    await expectNothingLeft();
  });

  it.each([
    ['ftp://127.0.0.1:PORT/file', 'ftp'],
    ['file:///etc/passwd', 'file'],
    ['http://user:secret@127.0.0.1:PORT/file', 'credentials'],
    ['http://user@127.0.0.1:PORT/file', 'user name'],
    [`http://127.0.0.1:PORT/${'x'.repeat(2048)}`, 'over 2048 characters'],
    ['not a url', 'not a URL'],
  ])('refuses %s (%s) before any I/O', async (value, _why) => {
    const before = origin.connections;
    await expect(fetchToFile(value.replace('PORT', String(origin.port)), target(), options)).rejects.toMatchObject({
      code: 'SOURCE_URL_INVALID',
      kind: 'invalid-input',
    });
    expect(origin.connections).toBe(before);
    await expectNothingLeft();
  });

  it('never overwrites or removes a file that is already there', async () => {
    await writeFile(target(), 'mine');
    await expect(fetchToFile(origin.url('/file'), target(), options)).rejects.toBeInstanceOf(LocalWriteError);
    expect(await readFile(target(), 'utf8')).toBe('mine');
  });
});
