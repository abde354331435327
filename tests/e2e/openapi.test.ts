/**
 * The OpenAPI document is true: it is well-formed OpenAPI 3.1 whose
 * schemas compile strictly; every documented operation is routed and
 * every route documented; the error codes are README's; and real
 * responses of a running stack (a job queued, cancelled, completed;
 * errors; health; ops views; the event stream) validate against it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { JobView } from '@stream-server/api';
import type { Job as ClientJob, QueueStats as ClientQueueStats } from '@stream-server/client';
import { JOB_FIELDS } from '@stream-server/contract';
import { makeTrack } from '../support/media';
import {
  appRoutes,
  collectRefs,
  deref,
  documentAjv,
  isObject,
  OPENAPI_31_SHAPE,
  resolvePointer,
  routeShape,
  schemaPointers,
} from '../support/openapi-check';
import { readJson, startStack, waitForJob, type TestStack } from '../support/stack';

const API_KEY = 'openapi-test-key-0123456789';
const SIGNING_KEY = 'openapi-playback-signing-key-0123456789abcdef';
const METHODS = ['get', 'post', 'delete', 'put', 'patch'] as const;

let fixtures: string;
let wav: Blob;
/** Long enough that its encode reports progress while the stream is open. */
let longWav: Blob;
/** Auth on (API_KEYS), no worker: jobs stay Pending. */
let idle: TestStack;
/** Auth off, one worker, signed playback. */
let busy: TestStack;
let doc: Record<string, unknown>;
let ajv: ReturnType<typeof documentAjv>;

beforeAll(async () => {
  fixtures = await mkdtemp(path.join(os.tmpdir(), 'openapi-'));
  const [track, longTrack, idleStack, busyStack] = await Promise.all([
    makeTrack(fixtures, 'openapi-tone', { seconds: 2 }),
    makeTrack(fixtures, 'openapi-long', { seconds: 40 }),
    startStack('openapi-idle', { workers: 0, env: { API_KEYS: API_KEY } }),
    startStack('openapi-busy', { workers: 1, env: { PLAYBACK_SIGNING_KEY: SIGNING_KEY } }),
  ]);
  wav = new Blob([await readFile(track)]);
  longWav = new Blob([await readFile(longTrack)]);
  idle = idleStack;
  busy = busyStack;
  // Fetched without a key from the auth-on stack: the document is public.
  const response = await fetch(`${idle.baseUrl}/v1/stream/openapi.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  doc = await readJson(response);
  ajv = documentAjv(doc);
});

afterAll(async () => {
  await Promise.all([idle?.stop(), busy?.stop()]);
  await rm(fixtures, { recursive: true, force: true });
});

const paths = (): Record<string, Record<string, unknown>> => {
  const value = doc['paths'];
  if (!isObject(value)) throw new Error('no paths');
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, Record<string, unknown>] => isObject(entry[1])),
  );
};

function operations(): { path: string; method: string; op: Record<string, unknown> }[] {
  return Object.entries(paths()).flatMap(([route, item]) =>
    METHODS.flatMap((method) => (isObject(item[method]) ? [{ path: route, method, op: item[method] }] : [])),
  );
}

const escapePointer = (part: string): string => part.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Checks a real response against the document: its status is documented
 * for the operation, its content type is one the document lists, and a
 * JSON body validates against that schema. Answers the parsed body.
 */
async function conforms(response: Response, route: string, method: string): Promise<unknown> {
  const status = String(response.status);
  const where = `${method.toUpperCase()} ${route} → ${status}`;
  const responses = resolvePointer(doc, `#/paths/${escapePointer(route)}/${method}/responses`);
  if (!isObject(responses) || responses[status] === undefined) throw new Error(`${where} is not documented`);
  const entry = responses[status];
  const base =
    isObject(entry) && typeof entry['$ref'] === 'string'
      ? entry['$ref']
      : `#/paths/${escapePointer(route)}/${method}/responses/${status}`;
  const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  const content = resolvePointer(doc, `${base}/content`);
  if (!isObject(content) || content[type] === undefined)
    throw new Error(`${where}: content type "${type}" not documented`);
  const text = await response.text();
  const body: unknown = type === 'application/json' ? JSON.parse(text) : text;
  const errors = ajv.compile(`${base}/content/${escapePointer(type)}/schema`)(body);
  if (errors.length > 0)
    throw new Error(`${where} does not match: ${JSON.stringify(errors, null, 1)}\n${text.slice(0, 2000)}`);
  return body;
}

function field(body: unknown, key: string): unknown {
  return isObject(body) ? body[key] : undefined;
}

describe('the document', () => {
  it('has the shape of OpenAPI 3.1', () => {
    const meta = new Ajv2020({ allErrors: true, strict: false });
    addFormats(meta);
    const validate = meta.compile(OPENAPI_31_SHAPE);
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    expect(doc['openapi']).toBe('3.1.0');
  });

  it('compiles every schema under strict JSON Schema 2020-12', () => {
    const pointers = schemaPointers(doc);
    expect(pointers.length).toBeGreaterThan(40);
    const failures = pointers.flatMap((pointer) => {
      try {
        ajv.compile(pointer);
        return [];
      } catch (err) {
        return [`${pointer}: ${err instanceof Error ? err.message : String(err)}`];
      }
    });
    expect(failures).toEqual([]);
  });

  it('resolves every $ref and is internally consistent', () => {
    const dangling = collectRefs(doc).filter(({ ref }) => resolvePointer(doc, ref) === undefined);
    expect(dangling).toEqual([]);

    const ids = operations().map(({ op }) => op['operationId']);
    expect(new Set(ids).size).toBe(ids.length);
    const tags = new Set((Array.isArray(doc['tags']) ? doc['tags'] : []).map((tag: unknown) => field(tag, 'name')));
    const schemes = resolvePointer(doc, '#/components/securitySchemes');
    for (const { path: route, method, op } of operations()) {
      const where = `${method} ${route}`;
      // Every {param} in the template is declared as a required path parameter, and nothing else is.
      const shared: unknown = paths()[route]?.['parameters'];
      const declared = [
        ...(Array.isArray(shared) ? shared : []),
        ...(Array.isArray(op['parameters']) ? op['parameters'] : []),
      ]
        .map((p) => deref(doc, p))
        .filter((p) => field(p, 'in') === 'path')
        .map((p) => field(p, 'name'));
      const template = [...route.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
      expect({ where, params: [...declared].sort() }).toEqual({ where, params: [...template].sort() });
      // Security is explicit on every operation, naming known schemes.
      expect({ where, hasSecurity: Array.isArray(op['security']) }).toEqual({ where, hasSecurity: true });
      for (const requirement of Array.isArray(op['security']) ? op['security'] : []) {
        for (const scheme of Object.keys(isObject(requirement) ? requirement : {})) {
          expect({ where, scheme, known: isObject(schemes) && scheme in schemes }).toEqual({
            where,
            scheme,
            known: true,
          });
        }
      }
      for (const tag of Array.isArray(op['tags']) ? op['tags'] : [])
        expect({ where, tag, known: tags.has(tag) }).toEqual({ where, tag, known: true });
    }
  });

  it("lists README's error codes for each status", async () => {
    const readme = await readFile(path.join(__dirname, '../../README.md'), 'utf8');
    const table = new Map<string, string[]>();
    for (const match of readme.matchAll(/^\| (\d{3}) \| (`[A-Z_]+`.*) \|$/gm)) {
      // Codes are the backticked names outside parentheses (those name settings).
      const cell = (match[2] ?? '').replace(/\([^)]*\)/g, '');
      table.set(match[1] ?? '', [...cell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((code) => code[1] ?? '').sort());
    }
    expect(table.size).toBeGreaterThan(8);
    const documented = new Map<string, Set<string>>();
    for (const { op } of operations()) {
      for (const [status, entry] of Object.entries(isObject(op['responses']) ? op['responses'] : {})) {
        const codes = resolvePointer(deref(doc, entry), '#/content/application~1json/schema/properties/code/enum');
        if (!Array.isArray(codes)) continue;
        const set = documented.get(status) ?? new Set<string>();
        for (const code of codes) set.add(String(code));
        documented.set(status, set);
      }
    }
    for (const [status, codes] of table)
      expect({ status, codes: [...(documented.get(status) ?? [])].sort() }).toEqual({ status, codes });
  });

  it('names the job fields that the server and the client declare', () => {
    const properties = resolvePointer(doc, '#/components/schemas/Job/properties');
    const schemaFields = Object.keys(isObject(properties) ? properties : {}).sort();
    // Record<keyof T, true>: the type checker forces these lists to match the types exactly.
    const server: Record<keyof JobView, true> = {
      id: true,
      track_id: true,
      status: true,
      progress: true,
      created_at: true,
      started_at: true,
      completed_at: true,
      error: true,
      codec: true,
      quality_profile: true,
      priority: true,
      bitrate: true,
      sample_rate: true,
      channels: true,
      duration_seconds: true,
      attempts: true,
      manifest_url: true,
      renditions: true,
      normalize: true,
      loudness: true,
      output_loudness: true,
      source: true,
      waveform_url: true,
      download_url: true,
      callback_url: true,
      live_manifest_url: true,
      purged_at: true,
    };
    const client: Record<keyof ClientJob, true> = { ...server };
    expect(Object.keys(client).sort()).toEqual(schemaFields);
    expect(Object.keys(server).sort()).toEqual(schemaFields);
    // The served document's order is the contract's.
    expect(Object.keys(isObject(properties) ? properties : {})).toEqual([...JOB_FIELDS]);

    const statsProperties = resolvePointer(doc, '#/components/schemas/QueueStats/properties');
    const clientStats: Record<keyof ClientQueueStats, true> = {
      counts: true,
      by_priority: true,
      workers: true,
      throughput: true,
      oldest_waiting_age_seconds: true,
      generated_at: true,
    };
    expect(Object.keys(clientStats).sort()).toEqual(
      Object.keys(isObject(statsProperties) ? statsProperties : {}).sort(),
    );
  });
});

/** Values for path parameters: a well-formed id of no job, and plausible names. */
const sample: Record<string, string> = {
  id: '00000000-0000-4000-8000-000000000000',
  job_id: '00000000-0000-4000-8000-000000000000',
  segment: 'segment_00001.ts',
  rendition: 'low',
};

describe('routes', () => {
  it('serves every documented operation (no route-miss 404)', async () => {
    const missing: string[] = [];
    for (const { path: route, method } of operations()) {
      const url = route.replace(/\{([^}]+)\}/g, (_, name: string) => sample[name] ?? 'x');
      const response = await fetch(`${idle.baseUrl}${url}`, { method: method.toUpperCase(), redirect: 'manual' });
      const text = await response.text();
      if (response.status === 404 && /"code":"NOT_FOUND"/.test(text)) missing.push(`${method} ${route}`);
    }
    expect(missing).toEqual([]);
  });

  it('documents every route the app serves', () => {
    const documented = new Set(operations().map(({ path: route, method }) => `${method} ${routeShape(route)}`));
    const routes = appRoutes(idle.api.app());
    expect(routes.length).toBeGreaterThan(8);
    const undocumented = routes
      .filter(({ method }) => method !== 'head' && method !== 'options')
      // bull-board's own pages, assets and API live under its documented mount point.
      .filter(({ path: route }) => !(route.startsWith('/admin/queues') && documented.has('get /admin/queues')))
      .map(({ method, path: route }) => `${method} ${routeShape(route)}`)
      .filter((key) => !documented.has(key));
    expect([...new Set(undocumented)]).toEqual([]);
  });
});

describe('real responses', () => {
  const key = { Authorization: `Bearer ${API_KEY}` };

  it('match for submit, a queued job, cancel and errors (auth on)', async () => {
    const form = new FormData();
    form.append('file', wav, 'queued.wav');
    form.append('quality_profile', 'low');
    const submitted = await fetch(`${idle.baseUrl}/v1/stream/transcode`, { method: 'POST', body: form, headers: key });
    const jobId = String(field(await conforms(submitted, '/v1/stream/transcode', 'post'), 'job_id'));

    const queued = await conforms(
      await fetch(`${idle.baseUrl}/v1/stream/job/${jobId}`, { headers: key }),
      '/v1/stream/job/{id}',
      'get',
    );
    expect(field(queued, 'status')).toBe('Pending');
    const cancelled = await conforms(
      await fetch(`${idle.baseUrl}/v1/stream/job/${jobId}`, { method: 'DELETE', headers: key }),
      '/v1/stream/job/{id}',
      'delete',
    );
    expect(field(cancelled, 'status')).toBe('Cancelled');

    const errors: [Promise<Response>, string, string, number, string][] = [
      [fetch(`${idle.baseUrl}/v1/stream/job/${jobId}`), '/v1/stream/job/{id}', 'get', 401, 'AUTH_REQUIRED'],
      [
        fetch(`${idle.baseUrl}/v1/stream/job/not-a-uuid`, { headers: key }),
        '/v1/stream/job/{id}',
        'get',
        400,
        'INVALID_JOB_ID',
      ],
      [
        fetch(`${idle.baseUrl}/v1/stream/job/${sample['id']}`, { headers: key }),
        '/v1/stream/job/{id}',
        'get',
        404,
        'JOB_NOT_FOUND',
      ],
      [
        fetch(`${idle.baseUrl}/v1/stream/transcode`, { method: 'POST', body: new FormData(), headers: key }),
        '/v1/stream/transcode',
        'post',
        400,
        'MISSING_FILE',
      ],
      [
        fetch(`${idle.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`),
        '/v1/stream/hls/{job_id}/index.m3u8',
        'get',
        400,
        'JOB_NOT_COMPLETED',
      ],
      [
        fetch(`${idle.baseUrl}/v1/stream/hls/${jobId}/segment_00001.ts`),
        '/v1/stream/hls/{job_id}/{segment}',
        'get',
        404,
        'SEGMENT_NOT_FOUND',
      ],
    ];
    for (const [request, route, method, status, code] of errors) {
      const response = await request;
      expect({ route, status: response.status }).toEqual({ route, status });
      expect(field(await conforms(response, route, method), 'code')).toBe(code);
    }
    const badCodec = new FormData();
    badCodec.append('file', wav, 'x.wav');
    badCodec.append('codec', 'wma');
    const refused = await fetch(`${idle.baseUrl}/v1/stream/transcode`, {
      method: 'POST',
      body: badCodec,
      headers: key,
    });
    expect(field(await conforms(refused, '/v1/stream/transcode', 'post'), 'code')).toBe('INVALID_CODEC');
    const hook = new FormData();
    hook.append('file', wav, 'x.wav');
    hook.append('callback_url', 'https://hooks.example.com/x');
    const noSecret = await fetch(`${idle.baseUrl}/v1/stream/transcode`, { method: 'POST', body: hook, headers: key });
    expect(field(await conforms(noSecret, '/v1/stream/transcode', 'post'), 'code')).toBe('WEBHOOKS_DISABLED');
  });

  it('match for a completed job, its playback, health and the ops views', async () => {
    const form = new FormData();
    form.append('file', wav, 'done.wav');
    form.append('codec', 'aac');
    const submitted = await fetch(`${busy.baseUrl}/v1/stream/transcode`, { method: 'POST', body: form });
    const jobId = String(field(await conforms(submitted, '/v1/stream/transcode', 'post'), 'job_id'));
    expect((await waitForJob(busy.baseUrl, jobId, 20_000)).status).toBe('Completed');

    const done = await conforms(await fetch(`${busy.baseUrl}/v1/stream/job/${jobId}`), '/v1/stream/job/{id}', 'get');
    expect(field(done, 'status')).toBe('Completed');
    const manifest = String(field(done, 'manifest_url'));
    expect(manifest).toContain('?token=');
    const playlist = String(
      await conforms(await fetch(`${busy.baseUrl}${manifest}`), '/v1/stream/hls/{job_id}/index.m3u8', 'get'),
    );
    const segment = playlist.split('\n').find((line) => line.startsWith('segment_'));
    expect(segment).toBeDefined();
    await conforms(
      await fetch(`${busy.baseUrl}/v1/stream/hls/${jobId}/${segment}`),
      '/v1/stream/hls/{job_id}/{segment}',
      'get',
    );
    const unsigned = await fetch(`${busy.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`);
    expect(field(await conforms(unsigned, '/v1/stream/hls/{job_id}/index.m3u8', 'get'), 'code')).toBe(
      'PLAYBACK_TOKEN_REQUIRED',
    );
    const finished = await fetch(`${busy.baseUrl}/v1/stream/job/${jobId}`, { method: 'DELETE' });
    expect(field(await conforms(finished, '/v1/stream/job/{id}', 'delete'), 'code')).toBe('JOB_FINISHED');

    expect(field(await conforms(await fetch(`${busy.baseUrl}/health`), '/health', 'get'), 'status')).toBe('ok');
    const stats = await conforms(await fetch(`${busy.baseUrl}/v1/stream/queue/stats`), '/v1/stream/queue/stats', 'get');
    expect(field(stats, 'workers')).toHaveLength(1);
    const list = await conforms(await fetch(`${busy.baseUrl}/v1/stream/jobs?limit=5`), '/v1/stream/jobs', 'get');
    expect(JSON.stringify(field(list, 'jobs'))).toContain(jobId);
    const badLimit = await fetch(`${busy.baseUrl}/v1/stream/jobs?limit=0`);
    expect(field(await conforms(badLimit, '/v1/stream/jobs', 'get'), 'code')).toBe('INVALID_LIMIT');
    const metrics = await conforms(await fetch(`${busy.baseUrl}/metrics`), '/metrics', 'get');
    expect(String(metrics)).toContain('# TYPE');
  });

  it('match for an ABR job with a download: playlists, segments, waveform, download and its event stream', async () => {
    const form = new FormData();
    form.append('file', wav, 'ladder.wav');
    form.append('renditions', 'low,high');
    form.append('download', 'true');
    const submitted = await fetch(`${busy.baseUrl}/v1/stream/transcode`, { method: 'POST', body: form });
    const jobId = String(field(await conforms(submitted, '/v1/stream/transcode', 'post'), 'job_id'));
    expect((await waitForJob(busy.baseUrl, jobId, 20_000)).status).toBe('Completed');
    const job = await conforms(await fetch(`${busy.baseUrl}/v1/stream/job/${jobId}`), '/v1/stream/job/{id}', 'get');

    const renditions = field(job, 'renditions');
    expect(Array.isArray(renditions) && renditions.map((r: unknown) => field(r, 'name'))).toEqual(['low', 'high']);
    const master = String(
      await conforms(
        await fetch(`${busy.baseUrl}${String(field(job, 'manifest_url'))}`),
        '/v1/stream/hls/{job_id}/index.m3u8',
        'get',
      ),
    );
    expect(master).toContain('#EXT-X-STREAM-INF');
    const rungUrl = String(Array.isArray(renditions) ? field(renditions[0], 'playlist_url') : '');
    const rung = String(
      await conforms(await fetch(`${busy.baseUrl}${rungUrl}`), '/v1/stream/hls/{job_id}/{rendition}/index.m3u8', 'get'),
    );
    const segment = rung.split('\n').find((line) => line !== '' && !line.startsWith('#'));
    const rungDir = rungUrl.slice(0, rungUrl.lastIndexOf('/') + 1);
    await conforms(
      await fetch(`${busy.baseUrl}${rungDir}${segment}`),
      '/v1/stream/hls/{job_id}/{rendition}/{segment}',
      'get',
    );

    const waveform = await conforms(
      await fetch(`${busy.baseUrl}${String(field(job, 'waveform_url'))}`),
      '/v1/stream/job/{id}/waveform.json',
      'get',
    );
    expect(field(waveform, 'length')).toBeGreaterThan(0);
    const download = await fetch(`${busy.baseUrl}${String(field(job, 'download_url'))}`);
    await conforms(download, '/v1/stream/job/{id}/download', 'get');

    // A finished job's stream: `state`, then its terminal event, then the server closes it.
    const stream = await fetch(`${busy.baseUrl}/v1/stream/job/${jobId}/events`);
    const text = String(await conforms(stream, '/v1/stream/job/{id}/events', 'get'));
    const events = text
      .split('\n\n')
      .filter((block) => /^data: /m.test(block))
      .map((block) => ({
        name: /^event: (.*)$/m.exec(block)?.[1],
        data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null'),
      }));
    expect(events.map((event) => event.name)).toEqual(['state', 'completed']);
    const validateJob = ajv.compile('#/components/schemas/Job');
    for (const event of events) expect(validateJob(event.data)).toEqual([]);
  });

  it('match for SSE progress events of a running job', async () => {
    const form = new FormData();
    form.append('file', longWav, 'live.wav');
    const submitted = await fetch(`${busy.baseUrl}/v1/stream/transcode`, { method: 'POST', body: form });
    const jobId = String(field(await conforms(submitted, '/v1/stream/transcode', 'post'), 'job_id'));
    const text = String(
      await conforms(await fetch(`${busy.baseUrl}/v1/stream/job/${jobId}/events`), '/v1/stream/job/{id}/events', 'get'),
    );
    const validate = {
      progress: ajv.compile('#/components/schemas/ProgressEvent'),
      job: ajv.compile('#/components/schemas/Job'),
    };
    const blocks = text.split('\n\n').filter((block) => /^data: /m.test(block));
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const block of blocks) {
      const name = /^event: (.*)$/m.exec(block)?.[1];
      const data: unknown = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null');
      expect({ name, errors: (name === 'progress' ? validate.progress : validate.job)(data) }).toEqual({
        name,
        errors: [],
      });
    }
    const names = blocks.map((block) => /^event: (.*)$/m.exec(block)?.[1]);
    expect(names[0]).toBe('state');
    expect(names).toContain('progress');
    expect(names.at(-1)).toBe('completed');
  });
});
