/**
 * packages/client against the real stack: the typed client (submit a file
 * from disk, follow it over SSE with progress, cancel, typed errors), and
 * the built `stream-server` CLI run as a new user would, through npx.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { StreamApiError, StreamClient, StreamNetworkError, type Codec } from '@stream-server/client';
import { makeTrack } from '../support/media';
import { freePort, ROOT } from '../support/processes';
import { startStack, type TestStack } from '../support/stack';

const BIN = path.join(ROOT, 'packages/client/bin/stream-server.js');

let fixtures: string;
let wav: string;
/** One worker: jobs complete. */
let stack: TestStack;
/** No worker: jobs stay Pending until cancelled. */
let idle: TestStack;

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'packages/client/dist/cli.js'))) throw new Error('build first: npx tsc -b');
  fixtures = await mkdtemp(path.join(os.tmpdir(), 'client-cli-'));
  [wav, stack, idle] = await Promise.all([
    makeTrack(fixtures, 'client-tone', { seconds: 3 }),
    startStack('client-cli', { workers: 1 }),
    startStack('client-idle', { workers: 0 }),
  ]);
});

afterAll(async () => {
  await Promise.all([stack?.stop(), idle?.stop()]);
  await rm(fixtures, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command with only PATH and HOME (and `env`), as in a fresh shell; never throws. */
function run(file: string, args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      file,
      [...args],
      { cwd: ROOT, timeout: 20_000, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: os.tmpdir(), ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

const cli = (args: readonly string[], env?: Record<string, string>): Promise<Run> =>
  run(process.execPath, [BIN, ...args], env);

describe('StreamClient', () => {
  it('submits a file from disk and follows it to Completed with progress', async () => {
    const client = new StreamClient({ baseUrl: stack.baseUrl });
    const { job_id: id, status } = await client.submit(wav, { profile: 'medium', codec: 'aac', trackId: 'client-e2e' });
    expect(status).toBe('queued');
    const seen: number[] = [];
    const done = await client.waitFor(id, { onProgress: (progress) => seen.push(progress), timeoutMs: 20_000 });
    expect(done).toMatchObject({
      id,
      status: 'Completed',
      progress: 100,
      track_id: 'client-e2e',
      quality_profile: 'medium',
    });
    expect(seen.at(-1)).toBe(100);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);

    expect(await client.get(id)).toEqual(done);
    const playlist = await fetch(client.manifestUrl(done));
    expect(playlist.status).toBe(200);
    expect(await playlist.text()).toMatch(/^#EXTM3U/);
    const stats = await client.stats();
    expect(stats.workers).toHaveLength(1);
    expect((await client.list({ limit: 5 })).jobs.map((job) => job.id)).toContain(id);
  });

  it('sees a cancel through waitFor', async () => {
    const client = new StreamClient({ baseUrl: idle.baseUrl });
    // A Buffer this time, named by fileName.
    const { job_id: id } = await client.submit(await readFile(wav), {
      priority: 'background',
      fileName: 'in-memory.wav',
    });
    const waiting = client.waitFor(id, { timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await client.cancel(id)).status).toBe('Cancelled');
    expect(await waiting).toMatchObject({ status: 'Cancelled', track_id: 'in-memory' });
  });

  it('maps errors to typed exceptions', async () => {
    const client = new StreamClient({ baseUrl: stack.baseUrl });
    const unknown = '00000000-0000-4000-8000-000000000000';
    await expect(client.get('not-a-uuid')).rejects.toMatchObject({
      name: 'StreamApiError',
      status: 400,
      code: 'INVALID_JOB_ID',
    });
    await expect(client.get(unknown)).rejects.toMatchObject({ status: 404, code: 'JOB_NOT_FOUND' });
    await expect(client.waitFor(unknown)).rejects.toMatchObject({ status: 404, code: 'JOB_NOT_FOUND' });
    const wma: Codec = JSON.parse('"wma"');
    await expect(client.submit(Buffer.from('RIFF'), { codec: wma, fileName: 'x.wav' })).rejects.toBeInstanceOf(
      StreamApiError,
    );
    const closed = new StreamClient({ baseUrl: `http://127.0.0.1:${await freePort()}` });
    await expect(closed.stats()).rejects.toBeInstanceOf(StreamNetworkError);
  });
});

describe('the stream-server CLI', () => {
  it('transcodes with --wait through npx and prints a playable manifest URL', async () => {
    const result = await run('npx', [
      '--no-install',
      'stream-server',
      'transcode',
      wav,
      '--profile',
      'high',
      '--wait',
      '--url',
      stack.baseUrl,
    ]);
    expect(result).toMatchObject({ code: 0 });
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const url = lines[0] ?? '';
    expect(url).toMatch(new RegExp(`^${stack.baseUrl}/v1/stream/hls/[0-9a-f-]{36}/index\\.m3u8$`));
    // Not a terminal: progress as lines, ending at 100 %.
    expect(result.stderr).toMatch(/Submitted job [0-9a-f-]{36}/);
    expect(result.stderr).toMatch(/ 100%\n/);
    expect(result.stderr).not.toContain('\r');
    const playlist = await fetch(url);
    expect(playlist.status).toBe(200);
    expect(await playlist.text()).toContain('#EXT-X-ENDLIST');

    const id = url.split('/').at(-2) ?? '';
    const status = await cli(['status', id, '--url', stack.baseUrl]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^status\s+Completed$/m);
    expect(status.stdout).toContain(`manifest  ${stack.baseUrl}/v1/stream/hls/${id}/index.m3u8`);
    const json = await cli(['status', id, '--json'], { STREAM_SERVER_URL: stack.baseUrl });
    expect(JSON.parse(json.stdout)).toMatchObject({ id, status: 'Completed', quality_profile: 'high' });

    const again = await cli(['cancel', id, '--url', stack.baseUrl]);
    expect(again).toMatchObject({ code: 3, stdout: '' });
    expect(again.stderr).toMatch(/^error JOB_FINISHED: Job .* has already finished/);
  });

  it('prints queue stats', async () => {
    const text = await cli(['stats'], { STREAM_SERVER_URL: stack.baseUrl });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^workers\s+1$/m);
    expect(text.stdout).toMatch(/^throughput\s+\d+ \(1 min\)/m);
    const json = await cli(['stats', '--json', '--url', stack.baseUrl]);
    expect(JSON.parse(json.stdout)).toMatchObject({ counts: expect.any(Object), workers: [expect.any(Object)] });
  });

  it('exits 2 on usage errors and 3 on server or network errors', async () => {
    const noFile = await cli(['transcode', path.join(fixtures, 'missing.wav'), '--url', stack.baseUrl]);
    expect(noFile).toMatchObject({ code: 2, stdout: '' });
    expect(noFile.stderr).toContain('No such file');
    const badProfile = await cli(['transcode', wav, '--profile', 'ultra']);
    expect(badProfile.code).toBe(2);
    expect(badProfile.stderr).toContain('--profile must be one of low, medium, high, hi_res');
    const help = await cli(['--help']);
    expect(help).toMatchObject({ code: 0 });
    expect(help.stdout).toContain('stream-server transcode <file>');

    const badId = await cli(['status', 'nope', '--url', stack.baseUrl]);
    expect(badId).toMatchObject({ code: 3 });
    expect(badId.stderr).toMatch(/^error INVALID_JOB_ID: /);
    const down = await cli(['stats', '--url', `http://127.0.0.1:${await freePort()}`]);
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/^error: Cannot reach http:\/\/127\.0\.0\.1:\d+/);
  });
});
