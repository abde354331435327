import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseAllowList } from '../src/allow-list';
import { fetchToFile, type FetchToFileOptions } from '../src/fetch-to-file';
import { startLoopbackOrigin, type LoopbackOrigin } from '../../../tests/support/loopback-origin';

/**
 * The outbound guard on real sockets. `allowed` is on the allow-list;
 * `forbidden` listens on 127.0.0.1 too, on a port that is not, so every
 * attempt to reach it must be refused before a connection: its
 * connection counter is the proof.
 */

let allowed: LoopbackOrigin;
let forbidden: LoopbackOrigin;
let dir: string;
let forbiddenBefore: number;
let options: FetchToFileOptions;
const target = () => path.join(dir, 'source.bin');

beforeAll(async () => {
  forbidden = await startLoopbackOrigin((_request, response) => {
    response.writeHead(200).end('internal secret');
  });
  allowed = await startLoopbackOrigin((request, response) => {
    const url = new URL(request.url ?? '/', 'http://origin');
    const hops = Number(url.searchParams.get('hops') ?? '0');
    if (url.pathname === '/chain') {
      // /chain?hops=N redirects N times (alternating statuses), then serves the file.
      if (hops === 0) response.writeHead(200, { 'Content-Type': 'audio/flac' }).end('the file');
      else {
        const status = [301, 302, 303, 307, 308][hops % 5];
        response.writeHead(status ?? 302, { Location: `/chain?hops=${hops - 1}` }).end();
      }
      return;
    }
    if (url.pathname === '/to') {
      response.writeHead(302, { Location: url.searchParams.get('location') ?? '/' }).end();
      return;
    }
    if (url.pathname === '/host') {
      response.writeHead(200).end(request.headers.host);
      return;
    }
    response.writeHead(404).end();
  });
});

afterAll(async () => {
  await allowed.close();
  await forbidden.close();
  expect(forbidden.connections).toBe(0);
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'outbound-guard-'));
  forbiddenBefore = forbidden.connections;
  options = { maxBytes: 1024 * 1024, timeoutMs: 5_000, allowList: parseAllowList(`127.0.0.1:${allowed.port}`) };
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  expect(forbidden.connections - forbiddenBefore).toBe(0);
});

async function expectNothingLeft(): Promise<void> {
  expect(await readdir(dir)).toEqual([]);
}

describe('redirects', () => {
  it('follows up to 5, checking each, and reports the final URL', async () => {
    const fetched = await fetchToFile(allowed.url('/chain?hops=5'), target(), options);
    expect(fetched).toEqual({ bytes: 8, finalUrl: allowed.url('/chain?hops=0'), contentType: 'audio/flac' });
    expect(await readFile(target(), 'utf8')).toBe('the file');
  });

  it('refuses a 6th without requesting it', async () => {
    const before = allowed.requests.length;
    await expect(fetchToFile(allowed.url('/chain?hops=6'), target(), options)).rejects.toMatchObject({
      code: 'SOURCE_URL_INVALID',
      message: expect.stringContaining('redirected more than 5 times'),
    });
    expect(allowed.requests.length - before).toBe(6);
    await expectNothingLeft();
  });

  it('honours a smaller maxRedirects', async () => {
    await expect(
      fetchToFile(allowed.url('/chain?hops=2'), target(), { ...options, maxRedirects: 1 }),
    ).rejects.toMatchObject({
      code: 'SOURCE_URL_INVALID',
    });
  });

  it.each([
    ['http://127.0.0.1:FORBIDDEN/x', 'the same host, on a port not allow-listed'],
    ['http://localhost:FORBIDDEN/x', 'a name that resolves to loopback'],
    ['http://2130706433:FORBIDDEN/x', 'loopback in decimal'],
    ['http://[::ffff:127.0.0.1]:FORBIDDEN/x', 'IPv4-mapped loopback'],
    ['http://169.254.169.254/latest/meta-data/', 'cloud metadata'],
    ['http://10.0.0.1/x', 'a private network'],
  ])('refuses a redirect to %s (%s) before connecting', async (location) => {
    const to = encodeURIComponent(location.replace('FORBIDDEN', String(forbidden.port)));
    await expect(fetchToFile(allowed.url(`/to?location=${to}`), target(), options)).rejects.toMatchObject({
      code: 'SOURCE_URL_FORBIDDEN',
    });
    await expectNothingLeft();
  });

  it.each([
    ['ftp://127.0.0.1/x', 'ftp'],
    ['http://user:pw@127.0.0.1:ALLOWED/chain', 'credentials'],
    ['http://[bad/', 'unparsable'],
  ])('refuses a redirect to %s (%s)', async (location) => {
    const to = encodeURIComponent(location.replace('ALLOWED', String(allowed.port)));
    const before = allowed.requests.length;
    await expect(fetchToFile(allowed.url(`/to?location=${to}`), target(), options)).rejects.toMatchObject({
      code: 'SOURCE_URL_INVALID',
    });
    expect(allowed.requests.length - before).toBe(1);
  });
});

describe('forbidden addresses', () => {
  it.each([
    'http://127.0.0.1:PORT/x',
    'http://2130706433:PORT/x',
    'http://0x7f.1:PORT/x',
    'http://0x7f000001:PORT/x',
    'http://0177.0.0.1:PORT/x',
    'http://127.1:PORT/x',
    'http://127.0.0.2:PORT/x',
    'http://0.0.0.0:PORT/x',
    'http://0:PORT/x',
    'http://[::ffff:7f00:1]:PORT/x',
    'http://[::ffff:127.0.0.1]:PORT/x',
    'http://[::1]:PORT/x',
    'http://[::]:PORT/x',
    'http://localhost:PORT/x',
    'http://LocalHost:PORT/x',
    'https://localhost:PORT/x',
  ])('%s is never connected to', async (template) => {
    await expect(
      fetchToFile(template.replace('PORT', String(forbidden.port)), target(), options),
    ).rejects.toMatchObject({
      code: 'SOURCE_URL_FORBIDDEN',
      kind: 'invalid-input',
    });
    await expectNothingLeft();
  });

  it('refuses a name with one private address among public ones, without connecting', async () => {
    await expect(
      fetchToFile(`http://media.example:${forbidden.port}/x`, target(), {
        ...options,
        resolve: async () => [
          { address: '93.184.216.34', family: 4 },
          { address: '127.0.0.1', family: 4 },
        ],
      }),
    ).rejects.toMatchObject({ code: 'SOURCE_URL_FORBIDDEN', message: expect.stringContaining('127.0.0.1') });
  });

  it('refuses a host that does not resolve', async () => {
    await expect(
      fetchToFile('http://nowhere.invalid/x', target(), {
        ...options,
        resolve: async () => Promise.reject(new Error('ENOTFOUND')),
      }),
    ).rejects.toMatchObject({ code: 'SOURCE_URL_INVALID', message: expect.stringContaining('does not resolve') });
  });

  it('connects an allow-listed name to the addresses checked, keeping the name as Host', async () => {
    const resolve = jest.fn(async () => [{ address: '127.0.0.1', family: 4 as const }]);
    const fetched = await fetchToFile(`http://media.internal:${allowed.port}/host`, target(), {
      ...options,
      allowList: parseAllowList(`media.internal:${allowed.port}`),
      resolve,
    });
    expect(fetched.finalUrl).toBe(`http://media.internal:${allowed.port}/host`);
    expect(await readFile(target(), 'utf8')).toBe(`media.internal:${allowed.port}`);
    expect(resolve).toHaveBeenCalledWith('media.internal');
  });
});
