import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { silentLogger } from '@stream-server/logger';
import { StorageLayout } from '@stream-server/storage';
import { errorHandler } from '../src/middleware/error-handler';
import { transcodeRoutes } from '../src/routes/transcode-routes';
import type { SubmitControl, TranscodeService } from '../src/services/transcode-service';
import { UrlIngest } from '../src/services/url-ingest';
import { UploadSlots } from '../src/upload/upload-slots';
import { UploadStorage } from '../src/upload/upload-storage';

/**
 * A stopping API and an upload whose job is being queued: the submit
 * route, the upload slots and the upload storage on a real HTTP server and
 * real files, with a stand-in for the service that holds its submit at the
 * step the test names, so the shutdown lands exactly there.
 */

let dir: string;
let layout: StorageLayout;
let server: Server;
let baseUrl: string;
let slots: UploadSlots;
let stage: 'probing' | 'queueing';
let reached: () => void;
let release: () => void;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'upload-shutdown-'));
  layout = new StorageLayout(dir);
  await mkdir(layout.uploadsDir, { recursive: true });
  const uploads = new UploadStorage(layout);
  slots = new UploadSlots(8, uploads);
  const service: Pick<TranscodeService, 'submit'> = {
    submit: async (upload, _fields, _requestId, control: SubmitControl = {}) => {
      if (stage === 'queueing') control.onQueueing?.();
      reached();
      await new Promise<void>((resolve, reject) => {
        release = resolve;
        // A probe is killed by the abort; a job being queued is not.
        if (stage === 'probing') control.signal?.addEventListener('abort', () => reject(new Error('probe killed')));
      });
      if (stage === 'probing') control.signal?.throwIfAborted();
      return { jobId: `job-for-${upload.uploadId}` };
    },
  };
  const app = express();
  app.use(
    transcodeRoutes({
      service: service as TranscodeService,
      ingest: new UrlIngest(
        { ...service, validateFields: async () => undefined },
        { maxUploadBytes: 1024 * 1024, ingestTimeoutSeconds: 5, ingestAllowHosts: [] },
        silentLogger,
      ),
      uploads,
      maxUploadBytes: 1024 * 1024,
      authorize: (_req, _res, next) => next(),
      uploadIdleTimeoutMs: 30_000,
      uploadMinBytesPerSecond: 0,
      uploadRateWindowMs: 30_000,
      slots,
    }),
  );
  app.use(errorHandler(silentLogger));
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** Posts an upload and resolves, once the service holds it at `stage`, with its answer to come. */
async function uploadHeldAt(
  at: typeof stage,
  signal?: AbortSignal,
): Promise<{ answer: Promise<{ status: number; body: Record<string, unknown> }> }> {
  stage = at;
  const held = new Promise<void>((resolve) => (reached = resolve));
  const form = new FormData();
  form.append('file', new Blob([Buffer.alloc(64 * 1024, 1)]), 'a.wav');
  const answer = fetch(`${baseUrl}/v1/stream/transcode`, { method: 'POST', body: form, signal: signal ?? null }).then(
    async (res) => ({
      status: res.status,
      body: (await res.json()) as Record<string, unknown>,
    }),
  );
  await held;
  return { answer };
}

it('a shutdown lets an upload whose job is being queued get its 200, and keeps its file', async () => {
  const { answer } = await uploadHeldAt('queueing');
  const aborting = slots.abortAll();
  // The queue's round trip ends after the shutdown began.
  await new Promise((resolve) => setTimeout(resolve, 50));
  release();
  await aborting;
  const { status, body } = await answer;
  expect(status).toBe(200);
  expect(body).toMatchObject({ status: 'queued', job_id: expect.stringMatching(/^job-for-/) });
  // The queued job's source is still there for a worker.
  expect(await readdir(layout.uploadsDir)).toHaveLength(1);
});

it('a shutdown cuts off an upload still being probed with 503 SHUTTING_DOWN, and deletes its file', async () => {
  const { answer } = await uploadHeldAt('probing');
  await slots.abortAll();
  const { status, body } = await answer;
  expect(status).toBe(503);
  expect(body).toMatchObject({ code: 'SHUTTING_DOWN' });
  expect(await readdir(layout.uploadsDir)).toEqual([]);
});

it('a client gone while its job is being queued leaves the job its file', async () => {
  const gone = new AbortController();
  const { answer } = await uploadHeldAt('queueing', gone.signal);
  gone.abort();
  await expect(answer).rejects.toThrow();
  // The route sees the connection close before the queue answers.
  await new Promise((resolve) => setTimeout(resolve, 100));
  release();
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(await readdir(layout.uploadsDir)).toHaveLength(1);
});
