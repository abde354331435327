/**
 * Takedown and retention: DELETE …/output removes a finished job's
 * outputs, after which every playback URL answers 410 (also one the API's
 * segment cache held), and OUTPUT_RETENTION_DAYS does the same by itself.
 */
import { mkdtemp, readFile, readdir, rm, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeTrack } from '../support/media';
import { readJson, startStack, submit, waitForJob, type TestStack } from '../support/stack';

let dir: string;
let track: Blob;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'takedown-'));
  track = new Blob([await readFile(await makeTrack(dir, 'tone', { seconds: 8 }))]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function completed(stack: TestStack, fields: Record<string, string> = {}): Promise<string> {
  const submitted = await submit(stack.baseUrl, track, 'tone.wav', fields);
  const id = String(submitted.body['job_id']);
  expect((await waitForJob(stack.baseUrl, id)).status).toBe('Completed');
  return id;
}

describe('DELETE /v1/stream/job/{id}/output', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack('takedown');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('takes every output down: 410 from then on, cached segments too; the job stays Completed with purged_at', async () => {
    const id = await completed(stack, { download: 'true' });
    const urls = [
      `/v1/stream/hls/${id}/index.m3u8`,
      `/v1/stream/hls/${id}/live.m3u8`,
      `/v1/stream/hls/${id}/segment_00001.ts`,
      `/v1/stream/job/${id}/waveform.json`,
      `/v1/stream/job/${id}/download`,
    ];
    for (const url of urls)
      expect({ url, status: (await fetch(`${stack.baseUrl}${url}`)).status }).toEqual({ url, status: 200 });
    // Twice: the second answer comes from the segment cache in front of Express.
    expect((await fetch(`${stack.baseUrl}/v1/stream/hls/${id}/segment_00001.ts`)).status).toBe(200);

    const purge = await fetch(`${stack.baseUrl}/v1/stream/job/${id}/output`, { method: 'DELETE' });
    expect(purge.status).toBe(204);
    for (const url of urls) {
      const response = await fetch(`${stack.baseUrl}${url}`);
      expect({ url, status: response.status, body: await readJson(response) }).toEqual({
        url,
        status: 410,
        body: { error: expect.stringContaining('taken down'), code: 'OUTPUT_PURGED' },
      });
    }
    const job = await readJson(await fetch(`${stack.baseUrl}/v1/stream/job/${id}`));
    expect(job).toMatchObject({ status: 'Completed', purged_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(await readdir(path.join(stack.config.storageDir, 'hls'))).not.toContain(id);
    // Again: harmless.
    expect((await fetch(`${stack.baseUrl}/v1/stream/job/${id}/output`, { method: 'DELETE' })).status).toBe(204);
  }, 60_000);

  it('refuses a job still pending with 409 JOB_NOT_FINISHED, and an unknown one with 404', async () => {
    const paused = await startStack('takedown-pending', { workers: 0 });
    try {
      const id = String((await submit(paused.baseUrl, track, 'tone.wav')).body['job_id']);
      const refused = await fetch(`${paused.baseUrl}/v1/stream/job/${id}/output`, { method: 'DELETE' });
      expect(refused.status).toBe(409);
      expect((await readJson(refused))['code']).toBe('JOB_NOT_FINISHED');
      const unknown = await fetch(`${paused.baseUrl}/v1/stream/job/550e8400-e29b-41d4-a716-446655440000/output`, {
        method: 'DELETE',
      });
      expect(unknown.status).toBe(404);
    } finally {
      await paused.stop();
    }
  });
});

it('OUTPUT_RETENTION_DAYS takes old outputs down by itself', async () => {
  // Sweeps every second at this grace; outputs older than a day go.
  const stack = await startStack('retention', { env: { OUTPUT_RETENTION_DAYS: '1', ORPHAN_GRACE_SECONDS: '2' } });
  try {
    const old = await completed(stack);
    const fresh = await completed(stack);
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    await utimes(path.join(stack.config.storageDir, 'hls', old), twoDaysAgo, twoDaysAgo);
    const deadline = Date.now() + 10_000;
    while ((await fetch(`${stack.baseUrl}/v1/stream/hls/${old}/index.m3u8`)).status !== 410) {
      if (Date.now() > deadline) throw new Error('the old output was not taken down');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await readJson(await fetch(`${stack.baseUrl}/v1/stream/job/${old}`)))['purged_at']).not.toBeNull();
    expect((await fetch(`${stack.baseUrl}/v1/stream/hls/${fresh}/index.m3u8`)).status).toBe(200);
    expect(await readdir(path.join(stack.config.storageDir, 'hls'))).toEqual([fresh]);
  } finally {
    await stack.stop();
  }
}, 60_000);
