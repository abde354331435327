/**
 * packages/client's resumable uploads (tus) against the real stack: the
 * typed client, the same upload through a loopback proxy that drops the
 * connection mid-body once (it must resume from the server's offset, not
 * resend the file), and `stream-server upload --resumable` from the CLI.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { StreamApiError, StreamClient } from '@stream-server/client';
import { makeTrack } from '../support/media';
import { ROOT } from '../support/processes';
import { startStack, type TestStack } from '../support/stack';

const BIN = path.join(ROOT, 'packages/client/bin/stream-server.js');

/** A TCP relay to `target` that cuts the connection once, after `dropAfter` bytes from the client. */
interface DroppingProxy {
  readonly baseUrl: string;
  /** Every byte the client sent through it (kept whole: the fixture is a few MiB). */
  sent(): Buffer;
  dropped(): boolean;
  close(): Promise<void>;
}

async function droppingProxy(target: URL, dropAfter: number): Promise<DroppingProxy> {
  const chunks: Buffer[] = [];
  let total = 0;
  let dropped = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      upstream.write(chunk);
      if (!dropped && total > dropAfter) {
        dropped = true;
        // Let what was written reach the API, then cut both sides as a failing network would.
        upstream.end(closeBoth);
      }
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('error', closeBoth).on('close', closeBoth);
    upstream.on('error', closeBoth).on('close', closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    sent: () => Buffer.concat(chunks),
    dropped: () => dropped,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The Upload-Offset of every PATCH in the bytes a client sent. */
function patchOffsets(sent: Buffer): number[] {
  const text = sent.toString('latin1');
  const offsets: number[] = [];
  for (const match of text.matchAll(/^PATCH [^\r\n]+\r\n((?:[^\r\n]+\r\n)*?)\r\n/gm)) {
    const offset = /^upload-offset:\s*(\d+)/im.exec(match[1] ?? '')?.[1];
    if (offset !== undefined) offsets.push(Number(offset));
  }
  return offsets;
}

let fixtures: string;
let wav: string;
let size: number;
let stack: TestStack;

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'packages/client/dist/cli.js'))) throw new Error('build first: npx tsc -b');
  fixtures = await mkdtemp(path.join(os.tmpdir(), 'client-resumable-'));
  [wav, stack] = await Promise.all([
    makeTrack(fixtures, 'resumable-tone', { seconds: 20 }),
    startStack('client-resumable', { workers: 1 }),
  ]);
  size = (await stat(wav)).size;
});

afterAll(async () => {
  await stack?.stop();
  await rm(fixtures, { recursive: true, force: true });
});

describe('StreamClient.uploadResumable', () => {
  it('uploads a file from disk over tus and the job completes', async () => {
    const client = new StreamClient({ baseUrl: stack.baseUrl });
    const progress: number[] = [];
    const urls: string[] = [];
    const answer = await client.uploadResumable(
      wav,
      { profile: 'low', codec: 'aac', trackId: 'resumable-e2e' },
      { onProgress: (sent) => progress.push(sent), onUploadUrl: (url) => urls.push(url) },
    );
    expect(answer).toEqual({ job_id: expect.any(String), status: 'queued', message: 'Job submitted successfully' });
    expect(urls).toEqual([expect.stringMatching(new RegExp(`^${stack.baseUrl}/v1/stream/uploads/[0-9a-f-]{36}$`))]);
    expect(progress.at(-1)).toBe(size);
    const job = await client.waitFor(answer.job_id, { timeoutMs: 30_000 });
    expect(job).toMatchObject({ status: 'Completed', track_id: 'resumable-e2e', quality_profile: 'low' });

    // Resuming an upload that is already complete answers its job again, not a second one.
    const again = await client.uploadResumable(wav, {}, { resumeUrl: urls[0] ?? '' });
    expect(again.job_id).toBe(answer.job_id);
  });

  it('resumes from the server offset after the connection drops mid-upload, in chunks too', async () => {
    for (const chunkBytes of [undefined, 1024 * 1024]) {
      const proxy = await droppingProxy(new URL(stack.baseUrl), Math.floor(size / 2));
      try {
        const client = new StreamClient({ baseUrl: proxy.baseUrl });
        const progress: number[] = [];
        const answer = await client.uploadResumable(
          wav,
          { profile: 'low', trackId: 'resumed' },
          { chunkBytes, retryDelaysMs: [100, 500, 1_000], onProgress: (sent) => progress.push(sent) },
        );
        expect(proxy.dropped()).toBe(true);
        const sent = proxy.sent();
        // Resent from the server's offset, not from the start.
        expect(sent.length).toBeLessThan(1.5 * size);
        const offsets = patchOffsets(sent);
        expect(offsets[0]).toBe(0);
        if (chunkBytes === undefined) {
          // One PATCH cut off, then one from where the server's HEAD said it was.
          expect(offsets).toHaveLength(2);
          expect(offsets[1]).toBeGreaterThan(size / 4);
          expect(offsets[1]).toBeLessThan(size);
        } else {
          expect(offsets.every((offset, i) => i === 0 || offset > (offsets[i - 1] ?? 0) - chunkBytes)).toBe(true);
        }
        // The progress reported after the resume starts from the server's offset, not from 0.
        const drop = progress.findIndex((value, i) => i > 0 && value < (progress[i - 1] ?? 0));
        if (drop >= 0) expect(progress[drop]).toBeGreaterThan(size / 4);
        expect(progress.at(-1)).toBe(size);

        const job = await client.waitFor(answer.job_id, { timeoutMs: 30_000 });
        expect(job).toMatchObject({ status: 'Completed', track_id: 'resumed' });
      } finally {
        await proxy.close();
      }
    }
  });

  it('maps a refused upload to StreamApiError with the server code', async () => {
    const client = new StreamClient({ baseUrl: stack.baseUrl });
    const upload = client.uploadResumable(wav, { bitrate: 1 }, { retryDelaysMs: [] });
    await expect(upload).rejects.toBeInstanceOf(StreamApiError);
    await expect(upload).rejects.toMatchObject({ status: 400, code: 'INVALID_BITRATE' });
  });
});

describe('stream-server upload --resumable', () => {
  it('prints the job id, with the upload URL and upload progress on stderr', async () => {
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [BIN, 'upload', '--resumable', wav, '--profile', 'low', '--chunk-size', '1000000', '--url', stack.baseUrl],
        { cwd: ROOT, timeout: 30_000, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: os.tmpdir() } },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      );
    });
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
    expect(result.stderr).toMatch(/^Upload http:\/\/127\.0\.0\.1:\d+\/v1\/stream\/uploads\/[0-9a-f-]{36} /m);
    expect(result.stderr).toMatch(/^upload 100%$/m);
    expect(result.stderr).toContain(`Submitted job ${result.stdout.trim()}`);
    const job = await new StreamClient({ baseUrl: stack.baseUrl }).waitFor(result.stdout.trim(), {
      timeoutMs: 30_000,
    });
    expect(job.status).toBe('Completed');
  });
});
