import { StreamApiError, StreamClient, StreamNetworkError, StreamTimeoutError, type Job } from '../src';

const ID = '6f1c0000-0000-4000-8000-000000000001';

function job(status: Job['status'], progress: number): Job {
  return {
    id: ID,
    track_id: 't',
    status,
    progress,
    created_at: '2026-01-01T00:00:00.000Z',
    started_at: null,
    completed_at: null,
    error: null,
    codec: 'aac',
    quality_profile: 'high',
    priority: 'normal',
    bitrate: 256000,
    sample_rate: 44100,
    channels: 2,
    duration_seconds: 1,
    attempts: 0,
    manifest_url: status === 'Completed' ? `/v1/stream/hls/${ID}/index.m3u8?token=1.abc` : null,
  };
}

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
}

/** A fetch answering from a list of canned responses, recording each request. */
function fakeFetch(answers: ((call: Call) => Response)[]): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const impl = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const call = { url: input instanceof Request ? input.url : String(input), method: init?.method ?? 'GET', headers };
    calls.push(call);
    const answer = answers.shift();
    if (!answer) throw new TypeError('fetch failed');
    return answer(call);
  };
  return { fetch: impl, calls };
}

const jsonResponse = (status: number, body: unknown) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const sse = (text: string) => () =>
  new Response(text, { status: 200, headers: { 'content-type': 'text/event-stream' } });
const event = (name: string, data: unknown, id: number) =>
  `id: ${id}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

describe('StreamClient', () => {
  it('follows the events stream to the terminal event, reporting progress', async () => {
    const body =
      event('state', job('Pending', 0), 1) +
      ': keep-alive\n\n' +
      event('progress', { job_id: ID, progress: 12.5 }, 2) +
      event('progress', { job_id: ID, progress: 60 }, 3) +
      event('completed', job('Completed', 100), 4);
    const { fetch, calls } = fakeFetch([sse(body)]);
    const client = new StreamClient({ baseUrl: 'http://api.test/prefix/', apiKey: 'secret-key', fetch });
    const seen: number[] = [];
    const done = await client.waitFor(ID, { onProgress: (p) => seen.push(p) });
    expect(done.status).toBe('Completed');
    expect(seen).toEqual([0, 12.5, 60, 100]);
    expect(calls).toEqual([
      {
        url: `http://api.test/prefix/v1/stream/job/${ID}/events`,
        method: 'GET',
        headers: { accept: 'text/event-stream', authorization: 'Bearer secret-key' },
      },
    ]);
    expect(client.manifestUrl(done)).toBe(`http://api.test/prefix/v1/stream/hls/${ID}/index.m3u8?token=1.abc`);
    expect(client.manifestUrl(ID)).toBe(`http://api.test/prefix/v1/stream/hls/${ID}/index.m3u8`);
  });

  it('polls when the server has no events route', async () => {
    const { fetch, calls } = fakeFetch([
      jsonResponse(404, { error: 'No such route.', code: 'NOT_FOUND' }),
      jsonResponse(200, job('Processing', 40)),
      jsonResponse(200, job('Failed(timeout)', 40)),
    ]);
    const client = new StreamClient({ baseUrl: 'http://api.test', fetch });
    const done = await client.waitFor(ID, { pollIntervalMs: 5 });
    expect(done.status).toBe('Failed(timeout)');
    expect(calls.map((c) => c.url.replace('http://api.test', ''))).toEqual([
      `/v1/stream/job/${ID}/events`,
      `/v1/stream/job/${ID}`,
      `/v1/stream/job/${ID}`,
    ]);
  });

  it('reconnects when the stream drops before the end', async () => {
    const { fetch } = fakeFetch([
      sse(event('state', job('Processing', 10), 1)),
      jsonResponse(200, job('Processing', 20)),
      sse(event('state', job('Processing', 20), 1) + event('cancelled', job('Cancelled', 20), 2)),
    ]);
    const done = await new StreamClient({ baseUrl: 'http://api.test', fetch }).waitFor(ID);
    expect(done.status).toBe('Cancelled');
  });

  it('maps error bodies, foreign bodies and network failures', async () => {
    const { fetch } = fakeFetch([
      jsonResponse(404, { error: `No job with id ${ID}.`, code: 'JOB_NOT_FOUND' }),
      () => new Response('<html>Bad gateway</html>', { status: 502 }),
      jsonResponse(404, { error: 'No job.', code: 'JOB_NOT_FOUND' }),
    ]);
    const client = new StreamClient({ baseUrl: 'http://api.test', fetch });
    await expect(client.get(ID)).rejects.toEqual(new StreamApiError(404, 'JOB_NOT_FOUND', `No job with id ${ID}.`));
    await expect(client.stats()).rejects.toMatchObject({
      status: 502,
      code: 'HTTP_502',
      message: 'HTTP 502: <html>Bad gateway</html>',
    });
    // An unknown job on the events route is an error, not "no events route".
    await expect(client.waitFor(ID)).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    await expect(client.get(ID)).rejects.toBeInstanceOf(StreamNetworkError);
  });

  it('gives up after timeoutMs', async () => {
    const never: typeof fetch = (_input, init) =>
      new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    const client = new StreamClient({ baseUrl: 'http://api.test', fetch: never });
    await expect(client.waitFor(ID, { timeoutMs: 50 })).rejects.toBeInstanceOf(StreamTimeoutError);
  });

  it('sends the form fields the server reads', async () => {
    let sent: FormData | undefined;
    const capture: typeof fetch = async (_input, init) => {
      if (init?.body instanceof FormData) sent = init.body;
      return new Response(JSON.stringify({ job_id: ID, status: 'queued', message: 'Job submitted successfully' }));
    };
    const client = new StreamClient({ baseUrl: 'http://api.test', fetch: capture });
    await client.submit(Buffer.from('RIFF'), {
      fileName: 'a.wav',
      profile: 'low',
      codec: 'opus',
      bitrate: 64000,
      priority: 'background',
      trackId: 'x',
      renditions: ['low', 'high'],
      normalize: true,
      download: true,
      abr: false,
      callbackUrl: 'https://hook.test/x',
    });
    const fields = Object.fromEntries([...(sent?.entries() ?? [])].filter(([key]) => key !== 'file'));
    expect(fields).toEqual({
      codec: 'opus',
      bitrate: '64000',
      quality_profile: 'low',
      priority: 'background',
      track_id: 'x',
      renditions: 'low,high',
      normalize: 'true',
      download: 'true',
      callback_url: 'https://hook.test/x',
    });
    const file = sent?.get('file');
    expect(file instanceof Blob && file.size).toBe(4);
  });
});
