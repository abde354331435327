import { runCli } from '../src/cli-run';
import { StreamClient, type Job } from '../src';

const ID = '6f1c0000-0000-4000-8000-000000000002';

function job(status: Job['status'], error: string | null = null): Job {
  return {
    id: ID,
    track_id: 't',
    status,
    progress: status === 'Completed' ? 100 : 30,
    created_at: '2026-01-01T00:00:00.000Z',
    started_at: null,
    completed_at: null,
    error,
    codec: 'aac',
    quality_profile: 'high',
    priority: 'normal',
    bitrate: 256000,
    sample_rate: 44100,
    channels: 2,
    duration_seconds: 1,
    attempts: 1,
    manifest_url: status === 'Completed' ? `/v1/stream/hls/${ID}/index.m3u8` : null,
  };
}

/** Runs the CLI against canned server answers (in order), capturing output. */
async function cli(argv: string[], answers: (() => Response)[]) {
  const out: string[] = [];
  const err: string[] = [];
  const fetchImpl: typeof fetch = async () => {
    const answer = answers.shift();
    if (!answer) throw new TypeError('fetch failed');
    return answer();
  };
  const code = await runCli(
    argv,
    {},
    { stdout: { write: (t: string) => out.push(t) }, stderr: { isTTY: false, write: (t: string) => err.push(t) } },
    { makeClient: (options) => new StreamClient({ ...options, fetch: fetchImpl }) },
  );
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const json = (status: number, body: unknown) => () => new Response(JSON.stringify(body), { status });
const events =
  (...blocks: [string, unknown][]) =>
  () =>
    new Response(
      blocks.map(([name, data], i) => `id: ${i}\nevent: ${name}\ndata: ${JSON.stringify(data)}\n\n`).join(''),
      {
        headers: { 'content-type': 'text/event-stream' },
      },
    );

describe('runCli', () => {
  const submitted = json(200, { job_id: ID, status: 'queued', message: 'Job submitted successfully' });

  it('exits 0 and prints the absolute manifest URL when the job completes', async () => {
    const result = await cli(
      ['transcode', __filename, '--wait', '--url', 'http://h:9'],
      [submitted, events(['state', job('Processing')], ['completed', job('Completed')])],
    );
    expect(result).toEqual({
      code: 0,
      stdout: `http://h:9/v1/stream/hls/${ID}/index.m3u8\n`,
      stderr: `Submitted job ${ID}\n6f1c0000 30%\n6f1c0000 100%\n`,
    });
  });

  it('exits 1 with the reason when the job fails', async () => {
    const failed = job('Failed(ffmpeg exited with 1)', 'ffmpeg exited with 1');
    const result = await cli(
      ['transcode', __filename, '--wait'],
      [submitted, events(['state', job('Processing')], ['failed', failed])],
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`Job ${ID} ended Failed(ffmpeg exited with 1): ffmpeg exited with 1\n`);
  });

  it('prints only the job id without --wait, and server errors as "error CODE: message"', async () => {
    expect(await cli(['transcode', __filename], [submitted])).toMatchObject({ code: 0, stdout: `${ID}\n` });
    const refused = await cli(
      ['transcode', __filename, '--codec', 'mp3'],
      [json(400, { error: 'No worker can encode mp3.', code: 'CODEC_UNAVAILABLE' })],
    );
    expect(refused).toEqual({ code: 3, stdout: '', stderr: 'error CODEC_UNAVAILABLE: No worker can encode mp3.\n' });
  });

  it('exits 2 without calling the server for a missing file or bad flags', async () => {
    expect(await cli(['transcode', '/nonexistent/track.wav'], [])).toMatchObject({
      code: 2,
      stderr: 'usage error: No such file: /nonexistent/track.wav\n',
    });
    expect((await cli(['frobnicate'], [])).code).toBe(2);
  });
});
