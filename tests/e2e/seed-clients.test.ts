/**
 * The seed document's own client examples (tests/seed-clients/), run
 * unchanged but for the base URL: Node.js (form-data + node-fetch),
 * Python (requests) and cURL. Their 2 s polling is kept as written.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseMediaPlaylist } from '@stream-server/ffmpeg';
import { decodePlaylist, makeTrack } from '../support/media';
import { startStack, waitForJob, type TestStack } from '../support/stack';

const CLIENTS = path.join(__dirname, '../seed-clients');
const ROOT = path.resolve(__dirname, '../..');
const SECONDS = 3;

let stack: TestStack;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'seed-clients-'));
  await makeTrack(dir, 'audio', { seconds: SECONDS });
  stack = await startStack('seed-clients');
});

afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function client(file: string): Promise<string> {
  const text = await readFile(path.join(CLIENTS, file), 'utf8');
  expect(text).toContain('http://localhost:8082');
  const target = path.join(dir, file);
  await writeFile(target, text.replaceAll('http://localhost:8082', stack.baseUrl));
  return target;
}

/** Runs a client; `out` is its stdout, `all` stdout and stderr (for failures). */
function run(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string; all: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: dir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let all = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      all += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => (all += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out, all }));
  });
}

async function expectPlayable(manifestUrl: string): Promise<void> {
  const decoded = await decodePlaylist(manifestUrl);
  expect(Math.abs(decoded.durationSeconds - SECONDS)).toBeLessThanOrEqual(0.1);
  expect(decoded.codec).toBe('aac');
}

it('works with the Node.js example (form-data + node-fetch)', async () => {
  const script = await client('node-client.js');
  // The example requires its packages by name: resolve them from the repo.
  const result = await run(process.execPath, [script], { NODE_PATH: path.join(ROOT, 'node_modules') });
  expect(result.code).toBe(0);
  const manifest = /Manifest: (\S+)/.exec(result.out)?.[1];
  expect(manifest).toMatch(new RegExp(`^${stack.baseUrl}/v1/stream/hls/[0-9a-f-]{36}/index\\.m3u8$`));
  await expectPlayable(String(manifest));
});

const python = process.env['PYTHON'] ?? 'python3';
let hasRequests = false;
beforeAll(async () => {
  hasRequests = (await run(python, ['-c', 'import requests']).catch(() => null))?.code === 0;
});

it('works with the Python example (requests)', async () => {
  if (!hasRequests) {
    console.warn(`skipped: ${python} has no "requests" module (pip install requests)`);
    return;
  }
  const script = await client('python-client.py');
  const result = await run(python, [script]);
  expect(result.code).toBe(0);
  expect(result.out).toMatch(/Statut: Completed, Progression: 100%/);
  const manifest = /Manifest HLS: (\S+)/.exec(result.out)?.[1];
  await expectPlayable(String(manifest));
});

it('works with the cURL examples', async () => {
  const submitScript = await client('curl-client.sh');
  const submitted = await run('bash', [submitScript]);
  expect(submitted.code).toBe(0);
  const jobId = String((JSON.parse(submitted.out) as Record<string, unknown>)['job_id']);
  await waitForJob(stack.baseUrl, jobId);

  const job = await run('curl', ['-s', `${stack.baseUrl}/v1/stream/job/${jobId}`]);
  expect(JSON.parse(job.out)).toMatchObject({ id: jobId, status: 'Completed', progress: 100 });
  const manifest = await run('curl', ['-s', `${stack.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`]);
  const first = parseMediaPlaylist(manifest.out).segments[0];
  expect(first).toBe('segment_00001.ts');
  const segment = await run('curl', [
    '-s',
    '-o',
    'segment_00001.ts',
    '-w',
    '%{http_code} %{content_type}',
    `${stack.baseUrl}/v1/stream/hls/${jobId}/${first}`,
  ]);
  expect(segment.out).toBe('200 video/mp2t');
  expect((await stat(path.join(dir, 'segment_00001.ts'))).size).toBeGreaterThan(1000);
});
