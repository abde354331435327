/**
 * Bounded fuzz of the HTTP surface, black box: random methods and paths,
 * huge and broken headers, malformed multipart and framing, junk bodies.
 * Whatever arrives, the API must never answer 5xx, must answer its own
 * errors as `{ error, code }` JSON, must stay up, and must leave on disk
 * only the uploads of submits it accepted.
 *
 * Replay: the seed is printed; FUZZ_SEED=<seed> reruns the same requests,
 * FUZZ_ONLY=<i,j,…> only those (by index), FUZZ_REQUESTS bounds the count.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { makeTrack } from '../support/media';
import { startStack, submit, type TestStack } from '../support/stack';
import { fuzzCase, type FetchCase, type FuzzFixtures, type RawCase } from './fuzz-cases';

const MAX_UPLOAD_BYTES = 200_000;
const SEED = envInt('FUZZ_SEED') ?? (Date.now() ^ (process.pid << 8)) >>> 0;
const REQUESTS = envInt('FUZZ_REQUESTS') ?? 3_000;
const ONLY = (process.env['FUZZ_ONLY'] ?? '')
  .split(',')
  .filter((item) => item.trim() !== '')
  .map(Number);
const CONCURRENCY = 8;
/** A request that was sent whole must be answered within this. */
const ANSWER_TIMEOUT_MS = 5_000;
/** A request whose framing promised more body is dropped after this. */
const INCOMPLETE_CLOSE_MS = 300;
const WRITE_PIECE_BYTES = 16 * 1024;
/**
 * The API runs in this process: a timer that fires this late means one
 * request blocked the event loop, i.e. the whole server hung for everyone.
 */
const STALL_MS = 1_000;
const STACK_TRACE = /at .+\.(ts|js):\d+|node_modules|\/tmp\/|stream-fuzz-/;

let stack: TestStack;
let fixtures: string;
let fuzzFixtures: FuzzFixtures;
let finalWav: Blob;

beforeAll(async () => {
  fixtures = await mkdtemp(path.join(os.tmpdir(), 'fuzz-'));
  // 1 s of 8 kHz mono: ~16 KB, so hundreds of accepted uploads stay cheap.
  const tiny = await readFile(await makeTrack(fixtures, 'tiny', { seconds: 1, sampleRate: 8_000, channels: 1 }));
  finalWav = new Blob([await readFile(await makeTrack(fixtures, 'ok', { seconds: 1 }))]);
  fuzzFixtures = { wav: tiny, maxUploadBytes: MAX_UPLOAD_BYTES };
  stack = await startStack('fuzz', {
    workers: 0,
    env: {
      MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
      // Thousands of requests from one IP a minute: with the per-IP budgets
      // on, most would stop at the limiter (429) instead of reaching the
      // parsers, and the final submit would be refused. 0 turns them off.
      RATE_LIMIT_SUBMITS_PER_MINUTE: '0',
      RATE_LIMIT_READS_PER_MINUTE: '0',
    },
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await rm(fixtures, { recursive: true, force: true });
});

interface Answer {
  readonly status: number;
  readonly header: (name: string) => string | undefined;
  readonly body: Buffer;
}

interface Tally {
  sent: number;
  byClass: Record<string, number>;
  byStatus: Record<string, number>;
  byCode: Record<string, number>;
  nodeOwn: number;
  noResponseIncomplete: number;
  resets: number;
  accepted: number;
  failures: string[];
}

const tally: Tally = {
  sent: 0,
  byClass: {},
  byStatus: {},
  byCode: {},
  nodeOwn: 0,
  noResponseIncomplete: 0,
  resets: 0,
  accepted: 0,
  failures: [],
};
let fuzzed = false;

it('answers every request below 500, its errors as {error, code} JSON, and never hangs on a whole request', async () => {
  console.log(
    `fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED}), ${ONLY.length > 0 ? `only #${ONLY.join(',')}` : `${REQUESTS} requests`}`,
  );
  const started = Date.now();
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  const inFlight = new Map<number, string>();
  let tick = Date.now();
  const watchdog = setInterval(() => {
    const now = Date.now();
    if (now - tick > STALL_MS) {
      const suspects = [...inFlight].map(([i, label]) => `#${i} ${label}`).join(' | ');
      tally.failures.push(
        `the event loop was blocked for ${now - tick} ms (every request hung) while in flight: ${suspects}`,
      );
    }
    tick = now;
  }, 50);
  const indices = ONLY.length > 0 ? ONLY : Array.from({ length: REQUESTS }, (_, i) => i);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = indices[next++]; i !== undefined; i = indices[next++]) {
        tally.sent++;
        let label = '(not generated)';
        try {
          const c = fuzzCase(SEED, i, fuzzFixtures);
          label = c.label;
          inFlight.set(i, label);
          if (c.kind === 'raw') await runRaw(i, c, tally);
          else await runFetch(i, c, tally);
        } catch (err) {
          tally.failures.push(`#${i} ${label}: test error ${explain(err)}`);
        }
        inFlight.delete(i);
      }
    }),
  );
  fuzzed = true;
  clearInterval(watchdog);
  loopDelay.disable();

  const statuses = Object.entries(tally.byStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${status}×${count}`)
    .join(' ');
  console.log(
    [
      `fuzz: ${tally.sent} requests in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED}); event-loop delay p99 ${Math.round(loopDelay.percentile(99) / 1e6)} ms, max ${Math.round(loopDelay.max / 1e6)} ms`,
      `by class: ${JSON.stringify(tally.byClass)}; statuses: ${statuses}`,
      `API error codes: ${Object.entries(tally.byCode)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([code, count]) => `${code}×${count}`)
        .join(', ')}`,
      `Node's own refusals (no body): ${tally.nodeOwn}; accepted submits: ${tally.accepted}`,
      `no response: ${tally.noResponseIncomplete} with an incomplete body, ${tally.resets} reset/closed while refusing`,
      `failures: ${tally.failures.length}${tally.failures.length > 0 ? ` (replay one: FUZZ_SEED=${SEED} FUZZ_ONLY=<#>)` : ''}`,
    ].join('\n'),
  );
  expect(tally.failures.slice(0, 40)).toEqual([]);
}, 120_000);

it('is still up afterwards: /health is 200 and a valid submit is accepted', async () => {
  expect(fuzzed).toBe(true);
  const health = await fetch(`${stack.baseUrl}/health`);
  expect(health.status).toBe(200);
  const final = await submit(stack.baseUrl, finalWav, 'final.wav');
  expect(final.status).toBe(200);
  expect(final.body).toEqual(expect.objectContaining({ job_id: expect.any(String), status: 'queued' }));
  tally.accepted++;
});

it('leaves on disk only the uploads of accepted submits', async () => {
  expect(fuzzed).toBe(true);
  // Cleanup of an aborted upload is asynchronous: give it a moment.
  const settled = (files: string[]) =>
    files.length === tally.accepted && files.every((file) => file.startsWith('uploads/'));
  const deadline = Date.now() + 2_000;
  let left = await stack.leftovers();
  while (!settled(left) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = await stack.leftovers();
  }
  expect(left.filter((file) => !file.startsWith('uploads/'))).toEqual([]);
  expect(left.length).toBe(tally.accepted);
});

// ---------------------------------------------------------------- checks

function record(i: number, label: string, method: string, answer: Answer, tally: Tally): void {
  const fail = (problem: string) => tally.failures.push(`#${i} ${label}: ${problem}`);
  const { status, body } = answer;
  tally.byStatus[String(status)] = (tally.byStatus[String(status)] ?? 0) + 1;
  const statusClass = `${Math.floor(status / 100)}xx`;
  tally.byClass[statusClass] = (tally.byClass[statusClass] ?? 0) + 1;
  const text = body.toString('utf8');
  if (status >= 500) fail(`answered ${status}: ${text.slice(0, 200)}`);
  if (text.includes('root:x:0:0') || text.includes('"workspaces"'))
    fail(`served a file outside the job folder: ${text.slice(0, 100)}`);

  // Every response of the API carries X-Request-Id; Node's own refusals
  // of unparseable HTTP (400, 431, 413, 417) do not, and have no body.
  if (answer.header('x-request-id') === undefined) {
    tally.nodeOwn++;
    if (status < 400) fail(`answered ${status} without X-Request-Id`);
    if (body.length > 0) fail(`answered ${status} without X-Request-Id but with a body: ${text.slice(0, 200)}`);
    return;
  }
  if (status >= 400 && method !== 'HEAD') {
    if (body.length === 0) {
      fail(`answered ${status} with an empty body`);
      return;
    }
    if (!(answer.header('content-type') ?? '').startsWith('application/json'))
      fail(`answered ${status} as ${answer.header('content-type')}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      fail(`answered ${status} with a body that is not JSON: ${text.slice(0, 200)}`);
      return;
    }
    const object = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : null;
    const code: unknown = object ? Reflect.get(object, 'code') : undefined;
    const error: unknown = object ? Reflect.get(object, 'error') : undefined;
    if (
      !object ||
      Object.keys(object).sort().join(',') !== 'code,error' ||
      typeof error !== 'string' ||
      typeof code !== 'string' ||
      code === ''
    ) {
      fail(`answered ${status} with a body that is not {error, code}: ${text.slice(0, 200)}`);
    } else {
      tally.byCode[`${status} ${code}`] = (tally.byCode[`${status} ${code}`] ?? 0) + 1;
    }
    if (STACK_TRACE.test(text)) fail(`error body leaks internals: ${text.slice(0, 200)}`);
  }
  if (status === 200 && method === 'POST' && /"job_id"/.test(text)) tally.accepted++;
}

// ---------------------------------------------------------------- fetch

async function runFetch(i: number, c: FetchCase, tally: Tally): Promise<void> {
  let response: Response;
  let body: Buffer;
  try {
    response = await fetch(`${stack.baseUrl}${c.path}`, {
      method: c.method,
      headers: c.headers,
      body: c.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    });
    body = Buffer.from(await response.arrayBuffer());
  } catch (err) {
    if (isTimeout(err)) {
      tally.failures.push(`#${i} ${c.label}: no answer within ${ANSWER_TIMEOUT_MS} ms`);
    } else if (c.mayReset) {
      tally.resets++;
    } else {
      tally.failures.push(`#${i} ${c.label}: connection failed: ${explain(err)}`);
    }
    return;
  }
  record(
    i,
    c.label,
    c.method,
    { status: response.status, header: (name) => response.headers.get(name) ?? undefined, body },
    tally,
  );
}

// ---------------------------------------------------------------- raw sockets

interface RawOutcome {
  readonly data: Buffer;
  readonly timedOut: boolean;
  readonly errorCode: string | undefined;
}

async function runRaw(i: number, c: RawCase, tally: Tally): Promise<void> {
  const outcome = await sendRaw(c);
  const responses = parseResponses(outcome.data, c.method);
  if (responses.length === 0) {
    if (c.incomplete) tally.noResponseIncomplete++;
    else if (outcome.timedOut)
      tally.failures.push(
        `#${i} ${c.label}: no answer within ${ANSWER_TIMEOUT_MS} ms (request was complete); head ${JSON.stringify(clipText(c.head.toString('latin1'), 400))}`,
      );
    else if (c.mayReset) tally.resets++;
    else
      tally.failures.push(
        `#${i} ${c.label}: connection ${outcome.errorCode ?? 'closed'} without an answer; head ${JSON.stringify(clipText(c.head.toString('latin1'), 400))}`,
      );
    return;
  }
  const before = tally.failures.length;
  responses.forEach((answer, n) => record(i, c.label, n === 0 ? c.method : 'GET', answer, tally));
  if (tally.failures.length > before)
    tally.failures.push(`#${i} (request head: ${JSON.stringify(clipText(c.head.toString('latin1'), 400))})`);
}

/** Writes the case byte for byte and collects whatever comes back until the server closes. */
function sendRaw(c: RawCase): Promise<RawOutcome> {
  const { port } = new URL(stack.baseUrl);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    let timedOut = false;
    let errorCode: string | undefined;
    let timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, ANSWER_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      errorCode = err.code ?? err.message;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ data: Buffer.concat(chunks), timedOut, errorCode });
    });
    socket.on('connect', () => {
      void (async () => {
        const wire = Buffer.concat([c.head, c.body]);
        // Paced like a real client: stop sending once the server has answered or gone.
        for (
          let offset = 0;
          offset < wire.length && chunks.length === 0 && !socket.destroyed;
          offset += WRITE_PIECE_BYTES
        ) {
          await new Promise<void>((done) =>
            socket.write(wire.subarray(offset, offset + WRITE_PIECE_BYTES), () => done()),
          );
        }
        if (c.incomplete && !socket.destroyed) {
          // The client "dies" mid-body: wait a little for an early answer, then drop.
          clearTimeout(timer);
          timer = setTimeout(() => socket.destroy(), INCOMPLETE_CLOSE_MS);
        }
        // Never end(): a half-closed socket makes Node drop the request.
      })();
    });
  });
}

/** Splits what came back into HTTP responses (skipping 1xx), as far as it is whole. */
function parseResponses(data: Buffer, firstMethod: string): Answer[] {
  const answers: Answer[] = [];
  let offset = 0;
  while (offset < data.length) {
    const headEnd = data.indexOf('\r\n\r\n', offset);
    if (headEnd === -1) break;
    const lines = data.subarray(offset, headEnd).toString('latin1').split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
    if (!match) break;
    const status = Number(match[1]);
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    offset = headEnd + 4;
    if (status >= 100 && status < 200) continue;
    const method = answers.length === 0 ? firstMethod : 'GET';
    let body: Buffer;
    if (method === 'HEAD' || status === 204 || status === 304) {
      body = Buffer.alloc(0);
    } else if ((headers.get('transfer-encoding') ?? '').toLowerCase().includes('chunked')) {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = data.indexOf('\r\n', offset);
        if (lineEnd === -1) break;
        const size = Number.parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
        offset = lineEnd + 2;
        if (!Number.isFinite(size) || size === 0) {
          offset = Math.min(data.length, offset + 2);
          break;
        }
        parts.push(data.subarray(offset, offset + size));
        offset += size + 2;
      }
      body = Buffer.concat(parts);
    } else if (headers.has('content-length')) {
      const length = Number(headers.get('content-length'));
      body = data.subarray(offset, offset + length);
      offset += length;
    } else {
      body = data.subarray(offset);
      offset = data.length;
    }
    answers.push({ status, header: (name) => headers.get(name.toLowerCase()), body });
  }
  return answers;
}

// ---------------------------------------------------------------- helpers

function envInt(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') return undefined;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0)
    throw new Error(`${name} must be a non-negative integer, got ${value}`);
  return parsed >>> 0 === parsed ? parsed : parsed >>> 0;
}

function clipText(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

function explain(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause: unknown = Reflect.get(err, 'cause');
  return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
}
