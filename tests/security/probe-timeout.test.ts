/**
 * A hung ffprobe is the server's problem: past PROBE_TIMEOUT_SECONDS the
 * client gets 503 PROBE_TIMEOUT (not its own 400 INVALID_AUDIO, not an
 * empty reply), the ffprobe is killed and the upload deleted.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeTrack, testBinaries } from '../support/media';
import { waitFor } from '../support/processes';
import { startStack, submit, type TestStack } from '../support/stack';

// An odd number, so the test can find its own hung "ffprobe" among processes.
const HANG_SECONDS = 613;
let dir: string;
let stack: TestStack;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'probe-timeout-'));
  const { ffprobe } = await testBinaries();
  // Answers start-up's `-version` like ffprobe, then hangs on every probe.
  const hanging = path.join(dir, 'hanging-ffprobe');
  await writeFile(
    hanging,
    `#!/bin/sh\ncase "$*" in *-version*) exec "${ffprobe}" "$@" ;; esac\nexec sleep ${HANG_SECONDS}\n`,
  );
  await chmod(hanging, 0o755);
  stack = await startStack('probe-timeout', {
    workers: 0,
    // The idle timeout is shorter than the probe's: it must not fire once the body is in.
    env: { FFPROBE_PATH: hanging, PROBE_TIMEOUT_SECONDS: '2', UPLOAD_IDLE_TIMEOUT_SECONDS: '1' },
  });
});

afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

it('answers 503 PROBE_TIMEOUT once the probe runs past PROBE_TIMEOUT_SECONDS, and deletes the upload', async () => {
  const wav = await readFile(await makeTrack(dir, 'fine', { seconds: 1, sampleRate: 8000, channels: 1 }));
  const started = Date.now();
  const result = await submit(stack.baseUrl, new Blob([wav]), 'fine.wav');
  expect(result).toEqual({ status: 503, body: { error: expect.any(String), code: 'PROBE_TIMEOUT' } });
  const ms = Date.now() - started;
  expect(ms).toBeGreaterThanOrEqual(1_500);
  expect(ms).toBeLessThan(15_000);
  expect(await stack.settledLeftovers()).toEqual([]);
  // The hung ffprobe was killed, not left behind.
  await waitFor(
    () => (hungProbes() === 0 ? true : undefined),
    5_000,
    () => 'the hung ffprobe to be killed',
  );
});

function hungProbes(): number {
  try {
    return execFileSync('pgrep', ['-f', `sleep ${HANG_SECONDS}`], { encoding: 'utf8' })
      .trim()
      .split('\n').length;
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
}
