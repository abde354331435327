/**
 * Request generators for tests/security/fuzz.test.ts: every case is a
 * pure function of (seed, index), so one failing request can be replayed
 * alone with FUZZ_SEED=<seed> FUZZ_ONLY=<index>.
 */

/** A request written byte for byte over a socket (paths, methods and framing fetch would fix). */
export interface RawCase {
  readonly kind: 'raw';
  readonly label: string;
  /** The method on the request line (a HEAD answer has no body). */
  readonly method: string;
  readonly head: Buffer;
  readonly body: Buffer;
  /**
   * The framing promised more body than is sent (Content-Length too big,
   * chunked without its last chunk): the server may rightly wait for the
   * rest, so no answer is fine; the socket is closed after a short while.
   */
  readonly incomplete: boolean;
  /**
   * The server may rightly refuse before reading all of a large body and
   * close (413 on Content-Length, Node's 400 for broken framing): a reset
   * before any answer arrived is fine.
   */
  readonly mayReset: boolean;
}

/** A well-formed request sent with fetch. */
export interface FetchCase {
  readonly kind: 'fetch';
  readonly label: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array | FormData;
  /** The server may rightly answer early and close while the body is still going out. */
  readonly mayReset?: boolean;
}

export type FuzzCase = RawCase | FetchCase;

export interface FuzzFixtures {
  /** A short, valid WAV (small, so hundreds of accepted uploads stay cheap). */
  readonly wav: Buffer;
  /** MAX_UPLOAD_BYTES of the stack under test. */
  readonly maxUploadBytes: number;
}

// ---------------------------------------------------------------- PRNG

/** mulberry32: tiny, fast, and good enough to pick fuzz inputs. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  constructor(readonly next: () => number) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
  /** n characters (code points, never half a surrogate pair) from the alphabet. */
  text(n: number, alphabet: string): string {
    const chars = Array.from(alphabet);
    let out = '';
    for (let i = 0; i < n; i++) out += chars[Math.floor(this.next() * chars.length)];
    return out;
  }
  uuid(): string {
    const hex = this.text(32, '0123456789abcdef');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${this.pick(['8', '9', 'a', 'b'])}${hex.slice(17, 20)}-${hex.slice(20)}`;
  }
}

/** The case at `index` of the run seeded with `seed`. */
export function fuzzCase(seed: number, index: number, fixtures: FuzzFixtures): FuzzCase {
  const rng = new Rng(mulberry32((seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0));
  const roll = rng.next();
  if (roll < 0.22) return routeCase(rng);
  if (roll < 0.32) return headerCase(rng);
  if (roll < 0.6) return multipartCase(rng, fixtures);
  if (roll < 0.72) return bodyCase(rng);
  if (roll < 0.9) return formCase(rng, fixtures);
  return fetchRouteCase(rng);
}

// ---------------------------------------------------------------- paths

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const;
const ODD_METHODS = [
  'FOO',
  'M-SEARCH',
  'PROPFIND',
  'PURGE',
  'TRACE',
  'LINK',
  'UNLINK',
  'SEARCH',
  'REPORT',
  'MKCOL',
  'get',
  'Post',
  'G%45T',
  'X'.repeat(300),
];

const SEGMENTS = [
  'segment_00001.ts',
  'segment_00001.m4s',
  'init.mp4',
  'index.m3u8',
  'segment_1.ts',
  'segment_0000000001.ts',
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '%2e%2e%2fpackage.json',
  '..%5c..%5cpackage.json',
  'segment_00001.ts%00.txt',
  '%00',
  '%252e%252e%252fpasswd',
  '.env',
  '.',
  '..',
  '%2e',
  '%2e%2e',
  'init.mp4%20',
  'INIT.MP4',
  '\uff53egment_00001.ts',
  'segment_00001.ts;.m3u8',
  'index.m3u8%3F',
  '%E0%A4%A',
  '%zz',
  '%',
  'segment_99999.ts',
  'segment_00001.ts~',
  '~',
  'index.m3u8.bak',
  '%C0%AE%C0%AE%C0%AF',
];

function jobId(rng: Rng): string {
  const uuid = rng.uuid();
  return rng.pick([
    uuid,
    uuid,
    uuid,
    uuid.toUpperCase(),
    uuid.replace(/-/g, ''),
    `${uuid}%00`,
    `${uuid}.json`,
    `{${uuid}}`,
    '550e8400-e29b-41d4-a716-446655440000',
    '00000000-0000-0000-0000-000000000000',
    'not-a-uuid',
    '',
    '..',
    '.',
    '%2e%2e',
    '%2e%2e%2f',
    '..%2f..%2fetc',
    '%00',
    'x%00y',
    '%E0%A4%A',
    '%zz',
    '%',
    '%25',
    '\u00e9',
    '%C3%A9',
    '\u{1f600}',
    '%F0%9F%98%80',
    '__proto__',
    'constructor',
    '*',
    ';',
    '%3B',
    '..\\..\\',
    '%5c',
    'a'.repeat(rng.int(37, 400)),
    '-1',
    '0',
    'null',
    'undefined',
    '[object Object]',
    '%FF%FE',
    '%c0%80',
  ]);
}

function junkSegment(rng: Rng): string {
  const alphabet = 'abcXYZ019%%%..//\\;:@!$&\'()*+,=~_-?#[]{}|^`"<> \t\u00e9\u4e2d\u{1f600}\u0000\u007f';
  return rng.text(rng.int(0, 40), alphabet);
}

function query(rng: Rng): string {
  return rng.pick([
    '',
    '',
    '',
    '?',
    '?a=1&a=2',
    '?__proto__[polluted]=1',
    '?constructor[prototype][x]=1',
    '?%zz=%zz',
    `?x=${'y'.repeat(rng.int(100, 4000))}`,
    '?&&&==',
    '?q[][][]=1',
    '?a[100000]=1',
    '?codec=aac&priority=urgent',
    `?${junkSegment(rng)}`,
    '?%00',
    '?\u00e9=\u00e9',
    '?a=%E0%A4%A',
    '#frag',
  ]);
}

/** A path near the real routes, with garbage in the ids and names. */
function fuzzPath(rng: Rng): string {
  const id = () => jobId(rng);
  const base = rng.pick([
    () => '/health',
    () => '/health/',
    () => '/HEALTH',
    () => '//health',
    () => '/health/..',
    () => '/v1/stream/transcode',
    () => '/v1/stream/transcode/',
    () => '/v1//stream/transcode',
    () => '/V1/STREAM/TRANSCODE',
    () => `/v1/stream/job/${id()}`,
    () => `/v1/stream/job/${id()}`,
    () => `/v1/stream/job/${id()}/extra`,
    () => '/v1/stream/job',
    () => '/v1/stream/job/',
    () => `/v1/stream/hls/${id()}/index.m3u8`,
    () => `/v1/stream/hls/${id()}/${rng.pick(SEGMENTS)}`,
    () => `/v1/stream/hls/${id()}/${rng.pick(SEGMENTS)}`,
    () => `/v1/stream/hls/${id()}/${rng.pick(SEGMENTS)}/${rng.pick(SEGMENTS)}`,
    () => `/v1/stream/hls/${id()}`,
    () => `/v1/stream/hls/${id()}/${junkSegment(rng)}`,
    () => `/v1/stream/${junkSegment(rng)}`,
    () => `/${junkSegment(rng)}`,
    () => '/v1/stream/hls/../../../etc/passwd',
    () => '/v1/stream/hls/%2e%2e/%2e%2e/etc/passwd',
    () => '/../../etc/passwd',
    () => '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    () => '/v1/stream/job/%00',
    () => '/%00',
    () => `/v1/stream/job/${'a'.repeat(rng.int(7_000, 8_200))}`,
    () => `/v1/stream/hls/${id()}/segment_${'0'.repeat(rng.int(7_000, 8_200))}.ts`,
    () => '/a'.repeat(rng.int(2_000, 4_000)),
    () => `/v1/stream/job/${'%41'.repeat(rng.int(2_000, 2_700))}`,
    () => '/v1/stream/hls/\u{1f600}/\u4e2d\u6587.ts',
    () => `http://127.0.0.1/v1/stream/job/${id()}`,
    () => 'http://evil.example/health',
    () => '*',
    () => '/',
  ])();
  return base + query(rng);
}

/** A path fetch will send as is (no dot segments, valid characters). */
function cleanPath(rng: Rng): string {
  const uuid = rng.uuid();
  const base = rng.pick([
    '/health',
    '/health/',
    '/v1/stream/transcode',
    `/v1/stream/job/${uuid}`,
    `/v1/stream/job/${uuid.toUpperCase()}`,
    '/v1/stream/job/not-a-uuid',
    `/v1/stream/hls/${uuid}/index.m3u8`,
    `/v1/stream/hls/${uuid}/segment_00001.ts`,
    `/v1/stream/hls/${uuid}/init.mp4`,
    `/v1/stream/hls/${uuid}/segment_1.m4s`,
    `/v1/stream/hls/${uuid}/%2e%2e%2fx`,
    `/v1/stream/hls/x/index.m3u8`,
    '/v1/stream/nothing',
    `/v1/stream/job/${encodeURIComponent(junkSegment(rng))}`,
    `/v1/stream/hls/${uuid}/${encodeURIComponent(junkSegment(rng))}`,
    '/v1/stream/job/%E0%A4%A',
  ]);
  return base + rng.pick(['', '', `?x=${encodeURIComponent(junkSegment(rng))}`, '?a[b]=1&a[c]=2']);
}

// ---------------------------------------------------------------- raw framing

function requestHead(
  method: string,
  target: Buffer | string,
  headerLines: readonly (string | Buffer)[],
  version = 'HTTP/1.1',
): Buffer {
  const parts: Buffer[] = [
    Buffer.from(`${method} `, 'latin1'),
    typeof target === 'string' ? Buffer.from(target, 'utf8') : target,
  ];
  parts.push(Buffer.from(` ${version}\r\n`, 'latin1'));
  for (const line of headerLines) {
    parts.push(typeof line === 'string' ? Buffer.from(line, 'utf8') : line, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

const BASE_HEADERS = ['Host: localhost', 'Connection: close'];

function routeCase(rng: Rng): RawCase {
  const method = rng.chance(0.8) ? rng.pick(METHODS) : rng.pick(ODD_METHODS);
  const target = fuzzPath(rng);
  const headers: string[] = [...BASE_HEADERS];
  let body: Buffer = Buffer.alloc(0);
  if (rng.chance(0.3)) {
    body = rng.chance(0.5)
      ? rng.bytes(rng.int(0, 2_000))
      : Buffer.from(JSON.stringify({ file: junkSegment(rng), codec: 'aac' }));
    headers.push(`Content-Type: ${rng.pick(CONTENT_TYPES)}`, `Content-Length: ${body.length}`);
  }
  if (rng.chance(0.2))
    headers.push(`X-Request-Id: ${rng.pick(['abc', 'a'.repeat(101), '../../etc', '<script>', '', '\u00e9\u00e9'])}`);
  if (rng.chance(0.2))
    headers.push(
      `Origin: ${rng.pick(['http://localhost:3000', 'http://evil.example', 'null', '*', junkSegment(rng).replace(/[\r\n\0]/g, '')])}`,
    );
  if (rng.chance(0.15))
    headers.push(
      `Range: ${rng.pick(['bytes=0-10', 'bytes=-1', 'bytes=abc', 'bytes=5-1', 'bytes=0-0,1-1,2-2', `bytes=${'9'.repeat(40)}-`])}`,
    );
  const version = rng.chance(0.05) ? rng.pick(['HTTP/1.0', 'HTTP/9.9', 'HTTP/1.1 extra', 'HTTP/1']) : 'HTTP/1.1';
  return {
    kind: 'raw',
    label: `route ${method} ${clip(target)}`,
    method,
    head: requestHead(method, target, headers, version),
    body,
    incomplete: false,
    mayReset: false,
  };
}

function headerCase(rng: Rng): RawCase {
  const method = rng.pick(['GET', 'POST', 'DELETE', 'OPTIONS', 'HEAD']);
  const target = rng.pick([
    '/health',
    `/v1/stream/job/${rng.uuid()}`,
    '/v1/stream/transcode',
    `/v1/stream/hls/${rng.uuid()}/index.m3u8`,
  ]);
  const variant = rng.int(0, 19);
  let lines: (string | Buffer)[] = [...BASE_HEADERS];
  let incomplete = false;
  let body: Buffer = Buffer.alloc(0);
  let name = '';
  switch (variant) {
    case 0:
      name = 'one 16 KB header';
      lines.push(`X-Big: ${'a'.repeat(16 * 1024 + rng.int(0, 512))}`);
      break;
    case 1:
      name = 'one big header under the limit';
      lines.push(`X-Big: ${'b'.repeat(rng.int(4_000, 15_000))}`);
      break;
    case 2:
      name = '100 headers';
      for (let i = 0; i < 100; i++) lines.push(`X-H-${i}: ${rng.text(rng.int(1, 30), 'abcdef0123')}`);
      break;
    case 3:
      name = '100 long headers';
      for (let i = 0; i < 100; i++) lines.push(`X-H-${i}: ${'v'.repeat(200)}`);
      break;
    case 4:
      name = 'two different Content-Lengths';
      lines.push('Content-Length: 5', 'Content-Length: 6');
      body = Buffer.from('hello!');
      break;
    case 5: {
      const value = rng.pick(['-1', 'abc', '1e3', '0x10', '99999999999999999999', '1, 2', '']);
      name = `Content-Length: ${value}`;
      lines.push(`Content-Length: ${value}`);
      body = Buffer.from('0123456789');
      break;
    }
    case 6:
      name = 'chunked and Content-Length';
      lines.push('Transfer-Encoding: chunked', 'Content-Length: 5');
      body = Buffer.from('5\r\nhello\r\n0\r\n\r\n');
      break;
    case 7: {
      const te = rng.pick(['gzip, chunked', 'chunkedx', 'identity', 'chunked, gzip', ' chunked', 'CHUNKED']);
      name = `Transfer-Encoding: ${te}`;
      lines.push(`Transfer-Encoding: ${te}`);
      body = Buffer.from('5\r\nhello\r\n0\r\n\r\n');
      break;
    }
    case 8:
      name = 'header without a colon';
      lines.push('NoColonHere');
      break;
    case 9:
      name = 'obs-fold';
      lines.push('X-A: b', ' c');
      break;
    case 10:
      name = 'header name with a space';
      lines.push('X A: b');
      break;
    case 11:
      name = 'raw bytes in a header value';
      lines.push(Buffer.concat([Buffer.from('X-Bin: '), rng.bytes(50).map((b) => (b === 10 || b === 13 ? 32 : b))]));
      break;
    case 12:
      name = 'no Host';
      lines = lines.filter((line) => line !== 'Host: localhost');
      break;
    case 13: {
      const expect = rng.pick(['100-continue', 'foo', '100-continue, foo']);
      name = `Expect: ${expect}`;
      body = Buffer.from('--x--\r\n');
      lines.push(
        `Expect: ${expect}`,
        'Content-Type: multipart/form-data; boundary=x',
        `Content-Length: ${body.length}`,
      );
      break;
    }
    case 14:
      name = 'bare LF line endings';
      return {
        kind: 'raw',
        label: `header ${name} ${method} ${target}`,
        method,
        head: Buffer.from(`${method} ${target} HTTP/1.1\nHost: localhost\nConnection: close\n\n`),
        body,
        incomplete,
        mayReset: true,
      };
    case 15: {
      const id = rng.pick(['x'.repeat(101), 'ok-id_1.2', '\u00e9', '', 'a b', 'a,b']);
      name = `X-Request-Id ${clip(id)}`;
      lines.push(`X-Request-Id: ${id}`, `X-Request-Id: ${id}`);
      break;
    }
    case 16:
      name = 'junk conditional and accept headers';
      lines.push(
        `If-None-Match: ${junkSegment(rng).replace(/[\r\n\0]/g, '')}`,
        `If-Modified-Since: ${rng.pick(['yesterday', '0', 'Thu, 01 Jan 1970 00:00:00 GMT', 'x'.repeat(500)])}`,
        `Accept: ${rng.pick(['*/*', '', 'application/json;q=abc', 'text/html'])}`,
        `Accept-Encoding: ${rng.pick(['gzip', 'br;q=2', 'x'.repeat(200), ''])}`,
      );
      break;
    case 17:
      name = 'preflight with junk';
      lines.push(
        'Origin: http://localhost:5176',
        `Access-Control-Request-Method: ${rng.pick(['POST', 'FOO', '', 'x'.repeat(300)])}`,
        `Access-Control-Request-Headers: ${rng.pick(['content-type', 'x-'.repeat(500), ''])}`,
      );
      break;
    case 18: {
      const length = rng.pick([10 ** 12, 2 ** 53, 300_000, 1_000_000]);
      name = `Content-Length ${length} with little body`;
      lines.push('Content-Type: multipart/form-data; boundary=x', `Content-Length: ${length}`);
      body = Buffer.from('--x\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF');
      incomplete = true;
      break;
    }
    default: {
      const line = rng.pick([
        `${method}  ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        `${target} HTTP/1.1\r\nHost: x\r\n\r\n`,
        `${method} ${target}\r\n\r\n`,
        `${method} ${target} HTTP/1.1 x\r\nHost: x\r\nConnection: close\r\n\r\n`,
        `${method}\r\n\r\n`,
        `\r\n\r\n`,
      ]);
      return {
        kind: 'raw',
        label: `header request line ${clip(line)}`,
        method,
        head: Buffer.from(line, 'latin1'),
        body,
        // Blank lines before a request are skipped: the request has not begun.
        incomplete: line === '\r\n\r\n',
        mayReset: true,
      };
    }
  }
  return {
    kind: 'raw',
    label: `header ${name} ${method} ${target}`,
    method,
    head: requestHead(method, target, lines),
    body,
    incomplete,
    mayReset: variant <= 11,
  };
}

// ---------------------------------------------------------------- multipart

const FIELD_NAMES = ['codec', 'bitrate', 'quality_profile', 'priority', 'track_id'];
const FIELD_VALUES: Readonly<Record<string, readonly string[]>> = {
  codec: ['aac', 'mp3', 'opus', 'flac', 'AAC', 'vorbis', '', ' aac ', 'aac\u0000'],
  bitrate: ['128000', '192000', '0', '-5', '1e6', 'fast', '999999999999999999999', '64000.5', ' 96000 '],
  quality_profile: ['low', 'medium', 'high', 'hi_res', 'ultra', 'HIGH', ''],
  priority: ['urgent', 'normal', 'background', 'now', ''],
  track_id: [
    'track',
    'My Song',
    '\u00e9t\u00e9 \u{1f600}',
    'a'.repeat(201),
    'tab\there',
    'nul\u0000',
    '../../etc/passwd',
    '',
  ],
};

function fieldValue(rng: Rng, name: string): string {
  const known = Object.hasOwn(FIELD_VALUES, name) ? FIELD_VALUES[name] : undefined;
  if (known && rng.chance(0.85)) return rng.pick(known);
  return rng.pick(['', 'x', '\u00e9', 'x'.repeat(rng.int(100, 6_000)), junkSegment(rng)]);
}

function fieldName(rng: Rng): string {
  if (rng.chance(0.6)) return rng.pick(FIELD_NAMES);
  return rng.pick([
    'file',
    'audio',
    '',
    'x'.repeat(rng.int(90, 3_000)),
    '__proto__',
    'constructor[prototype][polluted]',
    'a[99999999]',
    'a[x]',
    'codec[]',
    'codec[x]',
    'priority[0]',
    'a[b][c][d][e][f][g]',
    '\u00e9\u4e2d',
    'name with space',
    '%22',
    'na"me',
  ]);
}

function filename(rng: Rng): string {
  return rng.pick([
    'track.wav',
    'a.mp3',
    '../../../etc/passwd.wav',
    '..\\..\\x.wav',
    '',
    '.wav',
    'CON',
    '\u00e9t\u00e9 \u{1f600}.wav',
    `${'a'.repeat(rng.int(200, 5_000))}.wav`,
    'semi;colon.wav',
    'new%0Aline.wav',
    'x.m3u8',
    'x.ffconcat',
    '/abs/path.wav',
  ]);
}

interface Part {
  readonly headers: string[];
  readonly data: Buffer;
}

function filePart(rng: Rng, fixtures: FuzzFixtures, name = 'file'): Part {
  const data = rng.pick([
    () => fixtures.wav,
    () => fixtures.wav,
    () => fixtures.wav.subarray(0, rng.int(0, fixtures.wav.length)),
    () => rng.bytes(rng.int(0, 5_000)),
    () => Buffer.alloc(0),
    () => Buffer.from('#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n'),
    () => Buffer.from('ffconcat version 1.0\nfile /etc/passwd\n'),
    () => Buffer.concat([fixtures.wav, rng.bytes(100)]),
  ])();
  const quoted = filename(rng).replace(/"/g, '%22');
  const headers = [`Content-Disposition: form-data; name="${name}"; filename="${quoted}"`];
  if (rng.chance(0.7))
    headers.push(`Content-Type: ${rng.pick(['audio/wav', 'application/octet-stream', 'text/plain', 'x/y', ''])}`);
  if (rng.chance(0.05)) headers.push(`Content-Transfer-Encoding: ${rng.pick(['base64', 'binary', '7bit'])}`);
  if (rng.chance(0.05))
    headers[0] = `Content-Disposition: form-data; name="${name}"; filename*=UTF-8''%E2%82%AC${rng.pick(['', '%ZZ', '%'])}.wav`;
  return { headers, data };
}

function fieldPart(rng: Rng): Part {
  const name = fieldName(rng);
  return {
    headers: [`Content-Disposition: form-data; name="${name.replace(/"/g, '%22')}"`],
    data: Buffer.from(fieldValue(rng, name)),
  };
}

function oddPart(rng: Rng, fixtures: FuzzFixtures): Part {
  return rng.pick<() => Part>([
    () => ({ headers: [], data: Buffer.from('no headers at all') }),
    () => ({ headers: ['Content-Disposition: attachment; filename="x.wav"'], data: fixtures.wav }),
    () => ({ headers: ['Content-Disposition: form-data'], data: Buffer.from('no name') }),
    () => ({ headers: ['Content-Disposition: form-data; name=file; filename=a.wav'], data: fixtures.wav }),
    () => ({ headers: ['Content-Disposition form-data; name="codec"'], data: Buffer.from('aac') }),
    () => ({
      headers: [`X-Long: ${'h'.repeat(rng.int(8_000, 20_000))}`, 'Content-Disposition: form-data; name="codec"'],
      data: Buffer.from('aac'),
    }),
    () => ({
      headers: [
        ...Array.from({ length: rng.int(90, 150) }, (_, i) => `X-P-${i}: v`),
        'Content-Disposition: form-data; name="codec"',
      ],
      data: Buffer.from('aac'),
    }),
    () => ({
      headers: [
        'Content-Disposition: form-data; name="file"; filename="n.wav"',
        'Content-Type: multipart/mixed; boundary=inner',
      ],
      data: Buffer.from('--inner\r\nContent-Disposition: file; filename="x.wav"\r\n\r\nRIFF\r\n--inner--\r\n'),
    }),
    () => ({
      headers: ['Content-Disposition: form-data; name="codec"', 'Content-Type: text/plain; charset=utf-16'],
      data: Buffer.from('a\u0000a\u0000c\u0000'),
    }),
    () => ({
      headers: [`Content-Disposition: form-data; name="${'\u00e9'.repeat(60)}"; filename="x.wav"`],
      data: fixtures.wav,
    }),
  ])();
}

function multipartCase(rng: Rng, fixtures: FuzzFixtures): RawCase {
  const boundary = rng.pick([
    'fuzzboundary',
    `----WebKitFormBoundary${rng.text(16, 'abcdefABCDEF0123456789')}`,
    'x',
    'a'.repeat(70),
    'b'.repeat(200),
    "'()+_,-./:=? ",
    'é',
  ]);
  const parts: Part[] = [];
  const shape = rng.int(0, 9);
  let label = '';
  switch (shape) {
    case 0:
      label = 'one file and fields';
      parts.push(filePart(rng, fixtures));
      for (let i = rng.int(0, 5); i > 0; i--) parts.splice(rng.int(0, parts.length), 0, fieldPart(rng));
      break;
    case 1:
      label = 'two files';
      parts.push(filePart(rng, fixtures), filePart(rng, fixtures));
      break;
    case 2:
      label = 'file under another name';
      parts.push(filePart(rng, fixtures, rng.pick(['audio', 'files[]', 'FILE', 'file ', '', 'file[0]'])));
      break;
    case 3:
      label = 'many fields';
      for (let i = rng.int(15, 60); i > 0; i--) parts.push(fieldPart(rng));
      if (rng.chance(0.5)) parts.push(filePart(rng, fixtures));
      break;
    case 4:
      label = 'many parts';
      for (let i = rng.int(25, 45); i > 0; i--)
        parts.push({ headers: [`Content-Disposition: form-data; name="p${i}"`], data: Buffer.from('v') });
      parts.push(filePart(rng, fixtures));
      break;
    case 5:
      label = 'giant field';
      parts.push({
        headers: [
          `Content-Disposition: form-data; name="${rng.chance(0.5) ? 'track_id' : 'n'.repeat(rng.int(101, 8_000))}"`,
        ],
        data: Buffer.from('v'.repeat(rng.int(4_000, 40_000))),
      });
      parts.push(filePart(rng, fixtures));
      break;
    case 6:
      label = 'odd part';
      parts.push(oddPart(rng, fixtures));
      if (rng.chance(0.5)) parts.push(filePart(rng, fixtures));
      break;
    case 7:
      label = 'file over the limit';
      parts.push({
        headers: ['Content-Disposition: form-data; name="file"; filename="big.wav"'],
        data: Buffer.concat([
          fixtures.wav,
          Buffer.alloc(fixtures.maxUploadBytes + rng.int(-1_000, 80_000) - fixtures.wav.length, 1),
        ]),
      });
      break;
    case 8:
      label = 'fields only';
      for (let i = rng.int(0, 5); i > 0; i--) parts.push(fieldPart(rng));
      break;
    default:
      label = 'file exactly at the limit';
      parts.push({
        headers: ['Content-Disposition: form-data; name="file"; filename="edge.wav"'],
        data: Buffer.concat([
          fixtures.wav,
          Buffer.alloc(Math.max(0, fixtures.maxUploadBytes - fixtures.wav.length + rng.int(0, 1)), 0),
        ]),
      });
  }

  // How the multipart text itself is broken.
  const eol = rng.chance(0.08) ? '\n' : '\r\n';
  const bodyBoundary = rng.chance(0.08) ? 'somethingelse' : boundary;
  const pieces: Buffer[] = [];
  if (rng.chance(0.1)) pieces.push(Buffer.from(`preamble ${junkSegment(rng)}\r\n`));
  for (const part of parts) {
    pieces.push(
      Buffer.from(`--${bodyBoundary}${eol}${part.headers.map((h) => h + eol).join('')}${eol}`),
      part.data,
      Buffer.from(eol),
    );
  }
  const ending = rng.pick(['final', 'final', 'final', 'final', 'none', 'no-dashes', 'epilogue']);
  if (ending === 'final') pieces.push(Buffer.from(`--${bodyBoundary}--\r\n`));
  if (ending === 'no-dashes') pieces.push(Buffer.from(`--${bodyBoundary}\r\n`));
  if (ending === 'epilogue') pieces.push(Buffer.from(`--${bodyBoundary}--\r\n${junkSegment(rng)}`));
  let body: Buffer = Buffer.concat(pieces);
  const mutation = rng.pick(['none', 'none', 'none', 'truncate', 'flip', 'random-body']);
  if (mutation === 'truncate') body = body.subarray(0, rng.int(0, body.length));
  if (mutation === 'flip') {
    body = Buffer.from(body);
    for (let i = rng.int(1, 20); i > 0 && body.length > 0; i--) body[rng.int(0, body.length - 1)] = rng.int(0, 255);
  }
  if (mutation === 'random-body') body = rng.bytes(rng.int(0, 10_000));

  const contentType = rng.chance(0.8)
    ? `multipart/form-data; boundary=${/^[A-Za-z0-9_-]+$/.test(boundary) && rng.chance(0.7) ? boundary : `"${boundary}"`}`
    : rng.pick([
        ...CONTENT_TYPES,
        'multipart/form-data',
        `multipart/form-data; boundary=${boundary}; boundary=other`,
        `multipart/mixed; boundary=${boundary}`,
      ]);

  const framing = rng.pick([
    'exact',
    'exact',
    'exact',
    'exact',
    'exact',
    'shorter',
    'longer',
    'chunked',
    'chunked',
    'bad-chunk',
    'no-last-chunk',
    'no-length',
  ]);
  const headers = [...BASE_HEADERS, `Content-Type: ${contentType}`];
  let wire = body;
  let incomplete = false;
  let mayReset = body.length > fixtures.maxUploadBytes;
  switch (framing) {
    case 'exact':
      headers.push(`Content-Length: ${body.length}`);
      break;
    case 'shorter':
      headers.push(`Content-Length: ${rng.int(0, Math.max(0, body.length - 1))}`);
      mayReset = true; // the rest is parsed as a next request, which Node refuses
      break;
    case 'longer':
      headers.push(`Content-Length: ${body.length + rng.int(1, 100_000)}`);
      incomplete = true;
      break;
    case 'chunked':
    case 'bad-chunk':
    case 'no-last-chunk': {
      headers.push('Transfer-Encoding: chunked');
      const chunks: Buffer[] = [];
      for (let offset = 0; offset < body.length;) {
        const size = Math.min(body.length - offset, rng.int(1, 40_000));
        chunks.push(
          Buffer.from(`${size.toString(16)}${rng.chance(0.05) ? ';ext=1' : ''}\r\n`),
          body.subarray(offset, offset + size),
          Buffer.from('\r\n'),
        );
        offset += size;
      }
      if (framing === 'bad-chunk') {
        const bad = Buffer.from(
          rng.pick([
            'zz\r\n',
            '-1\r\n',
            'ffffffffffffffffff\r\n',
            '5\r\nabc\r\n',
            '3\r\nabcdef\r\n',
            '\r\n',
            '0x10\r\n',
            '5 \r\nhello\r\n',
            `${'1'.repeat(200)}\r\n`,
          ]),
        );
        chunks.splice(rng.int(0, chunks.length), 0, bad);
        mayReset = true;
        incomplete = true; // a size larger than what follows is a promise never kept
      }
      if (framing !== 'no-last-chunk') chunks.push(Buffer.from('0\r\n\r\n'));
      else incomplete = true;
      wire = Buffer.concat(chunks);
      break;
    }
    case 'no-length':
      // HTTP/1.1 without Content-Length or chunked: the body is empty and the
      // bytes that follow are a (bad) next request.
      mayReset = true;
      break;
  }
  return {
    kind: 'raw',
    label: `multipart ${label} (${framing}, ${mutation}, end ${ending}, ${body.length} B)`,
    method: 'POST',
    head: requestHead('POST', '/v1/stream/transcode', headers),
    body: wire,
    incomplete,
    mayReset,
  };
}

// ---------------------------------------------------------------- fetch bodies

const CONTENT_TYPES = [
  'application/json',
  'application/x-www-form-urlencoded',
  'text/plain',
  'application/octet-stream',
  'image/png',
  '*/*',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'multipart/form-data; boundary= x',
  'multipart/form-data; boundary =x',
  'multipart/form-data; boundary=""',
  'multipart/form-data;;boundary=x',
  'multipart/form-data; boundary=x; boundary=y',
  'multipart/mixed; boundary=x',
  'multipart/x; boundary=x',
  'Multipart/Form-Data; Boundary=x',
  'multipart/',
  'multipart',
  '/',
  ';',
  'multipart/form-data; charset=utf-16; boundary=x',
  'application/x-www-form-urlencoded; charset=utf-16',
  'application/x-www-form-urlencoded; charset=bogus',
  `multipart/form-data; boundary="${'b'.repeat(300)}"`,
  'text/html; charset="',
  'application/json; charset=utf-32',
  'multipart/form-data; boundary=x\t',
  'multipart/form-data; boundary="x',
  'multipart/form-data; boundary=\u00e9',
];

function bodyCase(rng: Rng): FetchCase {
  const method = rng.pick(['POST', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE']);
  const path = rng.chance(0.7) ? '/v1/stream/transcode' : cleanPath(rng);
  const kind = rng.pick(['bytes', 'json', 'urlencoded', 'almost-json']);
  let body: string | Uint8Array;
  if (kind === 'bytes') body = new Uint8Array(rng.bytes(rng.int(0, 20_000)));
  else if (kind === 'json')
    body = JSON.stringify({
      file: junkSegment(rng),
      codec: rng.pick(['aac', 1, null, [], {}]),
      __proto__: { polluted: 1 },
    });
  else if (kind === 'urlencoded')
    body = `file=${encodeURIComponent(junkSegment(rng))}&codec=aac&${rng.pick(['a[b]=1', '%zz', '&&', 'x'.repeat(5_000)])}`;
  else body = rng.pick(['{', '{"a":', '[1,2', '{"file": "\u0000"}', '\u00ef\u00bb\u00bf{}', 'null', '1e999']);
  // fetch only sends header values that are byte strings without CR, LF or NUL.
  const contentType = rng.pick([...CONTENT_TYPES, junkSegment(rng).replace(/[^\x20-\x7e]/g, '')]);
  return {
    kind: 'fetch',
    label: `body ${kind} as ${clip(contentType)} ${method} ${path}`,
    method,
    path,
    headers: { 'content-type': contentType },
    body,
  };
}

function formCase(rng: Rng, fixtures: FuzzFixtures): FetchCase {
  const form = new FormData();
  const wav = () => new Blob([fixtures.wav]);
  const variant = rng.int(0, 11);
  let label = '';
  switch (variant) {
    case 0:
    case 1:
    case 2:
      label = 'valid file, fuzzed fields';
      form.append('file', wav(), filename(rng));
      for (let i = rng.int(0, 4); i > 0; i--) {
        const name = rng.pick(FIELD_NAMES);
        form.append(name, fieldValue(rng, name));
      }
      break;
    case 3:
      label = 'file under another name';
      form.append(rng.pick(['audio', 'files', 'File', 'upload']), wav(), 'a.wav');
      break;
    case 4:
      label = 'two files';
      form.append('file', wav(), 'a.wav');
      form.append(rng.pick(['file', 'other']), wav(), 'b.wav');
      break;
    case 5:
      label = 'fields only, "file" as text';
      form.append('file', 'not a file');
      form.append('codec', 'aac');
      break;
    case 6:
      label = 'giant field';
      form.append(rng.chance(0.5) ? 'x'.repeat(rng.int(101, 5_000)) : 'track_id', 'v'.repeat(rng.int(4_097, 20_000)));
      form.append('file', wav(), 'a.wav');
      break;
    case 7:
      label = 'many fields';
      for (let i = rng.int(21, 40); i > 0; i--) form.append(`f${i}`, 'v');
      form.append('file', wav(), 'a.wav');
      break;
    case 8:
      label = 'random bytes or empty as the file';
      form.append(
        'file',
        new Blob([rng.chance(0.3) ? new Uint8Array(0) : new Uint8Array(rng.bytes(rng.int(1, 30_000)))]),
        filename(rng),
      );
      break;
    case 9:
      label = 'file over the limit';
      form.append(
        'file',
        new Blob([fixtures.wav, new Uint8Array(fixtures.maxUploadBytes + rng.int(1, 100_000))]),
        'big.wav',
      );
      break;
    case 10:
      label = 'object-building field names';
      // multer's append-field turns `a[1]` into an array and `a[b]` into an object.
      for (let n = rng.int(1, 3); n > 0; n--) {
        form.append(
          rng.pick([
            'codec[]',
            'codec[x]',
            '__proto__[codec]',
            'constructor[prototype][x]',
            'a[99999999]',
            'a[b]',
            'a[]',
            'priority[0][1]',
          ]),
          'aac',
        );
      }
      form.append('file', wav(), 'a.wav');
      break;
    default:
      label = 'same field twice';
      form.append('file', wav(), 'a.wav');
      form.append('codec', 'aac');
      form.append('codec', rng.pick(['aac', 'mp3']));
      break;
  }
  return {
    kind: 'fetch',
    label: `form ${label}`,
    method: 'POST',
    path: '/v1/stream/transcode',
    headers: {},
    body: form,
    mayReset: variant === 9,
  };
}

function fetchRouteCase(rng: Rng): FetchCase {
  const method = rng.pick(METHODS);
  const path = cleanPath(rng);
  const headers: Record<string, string> = {};
  if (rng.chance(0.3))
    headers['origin'] = rng.pick(['http://localhost:3000', 'http://localhost:5176', 'http://evil.example', 'null']);
  if (rng.chance(0.2)) headers['range'] = rng.pick(['bytes=0-10', 'bytes=abc', 'bytes=-5']);
  if (rng.chance(0.2))
    headers['x-request-id'] = rng.pick(['fuzz-1', 'x'.repeat(200), '\u00e9']).replace(/\u00e9/g, '%C3%A9');
  return { kind: 'fetch', label: `fetch ${method} ${path}`, method, path, headers };
}

function clip(text: string): string {
  const safe = JSON.stringify(text).slice(1, -1);
  return safe.length > 80 ? `${safe.slice(0, 80)}…(${text.length})` : safe;
}
