/**
 * DELETE /v1/stream/job/{id}: pending jobs leave the queue, running ones
 * have their ffmpeg stopped within a second and their files removed; both
 * read Cancelled; finished jobs answer 409; repeating is harmless.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeTrack } from '../support/media';
import { ffmpegProcessesUsing, waitFor } from '../support/processes';
import { readJson, startStack, submit, waitForJob, type TestStack } from '../support/stack';

let dir: string;
let longTrack: Blob;
let shortTrack: Blob;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cancel-'));
  longTrack = new Blob([await readFile(await makeTrack(dir, 'long', { seconds: 240 }))]);
  shortTrack = new Blob([await readFile(await makeTrack(dir, 'short', { seconds: 3 }))]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cancel(stack: TestStack, jobId: string) {
  const response = await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`, { method: 'DELETE' });
  return { status: response.status, body: await readJson(response) };
}

async function status(stack: TestStack, jobId: string): Promise<Record<string, unknown>> {
  return readJson(await fetch(`${stack.baseUrl}/v1/stream/job/${jobId}`));
}

describe('with no worker running (jobs stay pending)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack('cancel-pending', { workers: 0 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('removes a pending job from the queue, deletes its upload, and reads Cancelled', async () => {
    const upload = await submit(stack.baseUrl, shortTrack, 'short.wav');
    const jobId = String(upload.body['job_id']);
    expect(await stack.leftovers()).toHaveLength(1);

    const first = await cancel(stack, jobId);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: jobId, status: 'Cancelled', error: null, completed_at: expect.any(String) });
    expect(await stack.leftovers()).toEqual([]);
    expect(await status(stack, jobId)).toMatchObject({ id: jobId, status: 'Cancelled', track_id: 'short' });

    const again = await cancel(stack, jobId);
    expect(again.status).toBe(200);
    expect(again.body['status']).toBe('Cancelled');
    expect(again.body['completed_at']).toBe(first.body['completed_at']);

    // A worker arriving later never runs it.
    const manifest = await fetch(`${stack.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`);
    expect(manifest.status).toBe(400);
  });

  it('answers 404 for an unknown job and 400 for a bad id', async () => {
    expect((await cancel(stack, '550e8400-e29b-41d4-a716-446655440000')).body).toEqual({
      error: expect.any(String),
      code: 'JOB_NOT_FOUND',
    });
    const bad = await cancel(stack, 'nope');
    expect(bad.status).toBe(400);
    expect(bad.body['code']).toBe('INVALID_JOB_ID');
  });
});

describe('with a worker', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack('cancel-active');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('stops a running job within a second and removes its files', async () => {
    const upload = await submit(stack.baseUrl, longTrack, 'long.wav', { codec: 'mp3' });
    const jobId = String(upload.body['job_id']);
    await waitFor(
      async () => {
        const body = await status(stack, jobId);
        return body['status'] === 'Processing' && Number(body['progress']) > 2 ? true : undefined;
      },
      30_000,
      () => 'the job to run',
    );
    expect(ffmpegProcessesUsing(stack.config.storageDir)).toHaveLength(1);

    const asked = Date.now();
    const cancelled = await cancel(stack, jobId);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body['status']).toBe('Cancelled');
    await waitFor(
      () => (ffmpegProcessesUsing(stack.config.storageDir).length === 0 ? true : undefined),
      1_000,
      () => 'ffmpeg to stop',
    );
    expect(Date.now() - asked).toBeLessThan(1_000);

    // The worker cleans up (work dir, upload) and the job ends Cancelled, not Failed.
    await waitFor(
      async () => ((await stack.leftovers()).length === 0 ? true : undefined),
      5_000,
      () => 'the files to go',
    );
    const final = await waitForJob(stack.baseUrl, jobId);
    expect(final).toMatchObject({ status: 'Cancelled', error: null });
    expect(await readdir(path.join(stack.config.storageDir, 'hls'))).toEqual([]);
    expect((await cancel(stack, jobId)).status).toBe(200);
  });

  it('refuses to cancel a completed job with 409', async () => {
    const upload = await submit(stack.baseUrl, shortTrack, 'short.wav');
    const jobId = String(upload.body['job_id']);
    expect((await waitForJob(stack.baseUrl, jobId)).status).toBe('Completed');
    const refused = await cancel(stack, jobId);
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ error: expect.stringContaining('Completed'), code: 'JOB_FINISHED' });
    expect((await status(stack, jobId))['status']).toBe('Completed');
  });

  it('never lies across the moment a job completes: 200 means nothing is served, 409 means Completed', async () => {
    const outcomes: Array<{ jobId: string; status: number }> = [];
    // DELETEs swept in 5 ms steps from the end of the encode (progress
    // 99.9) across the publish and the completion.
    for (let step = 0; step < 12; step += 1) {
      const jobId = String((await submit(stack.baseUrl, shortTrack, 'short.wav')).body['job_id']);
      const deadline = Date.now() + 20_000;
      for (;;) {
        const body = await status(stack, jobId);
        const ended = body['status'] !== 'Pending' && body['status'] !== 'Processing';
        if (ended || Number(body['progress']) >= 99) break;
        if (Date.now() > deadline) throw new Error(`job ${jobId} stuck: ${JSON.stringify(body)}`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await new Promise((resolve) => setTimeout(resolve, step * 5));
      outcomes.push({ jobId, status: (await cancel(stack, jobId)).status });
    }
    process.stdout.write(`cancel sweep: ${outcomes.map((o) => o.status).join(' ')}\n`);
    for (const { jobId, status: answered } of outcomes) {
      expect([200, 409]).toContain(answered);
      const final = await waitForJob(stack.baseUrl, jobId);
      const playlist = await fetch(`${stack.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`);
      const live = await fetch(`${stack.baseUrl}/v1/stream/hls/${jobId}/live.m3u8`);
      if (answered === 200) {
        expect(final.status).toBe('Cancelled');
        expect(playlist.status).not.toBe(200);
        expect(live.status).toBe(404);
        expect(await readdir(path.join(stack.config.storageDir, 'hls'))).not.toContain(jobId);
      } else {
        expect(final.status).toBe('Completed');
        expect(playlist.status).toBe(200);
      }
      await Promise.all([playlist.arrayBuffer(), live.arrayBuffer()]);
    }
  }, 120_000);
});
