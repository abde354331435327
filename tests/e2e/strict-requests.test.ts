/**
 * Requests that look almost right get a JSON error, not a quiet answer to
 * another question: a trailing slash on an API path is a 404 (the file
 * routes would otherwise serve `segment_00001.ts/`), and a job listing
 * filter given as `state[]=` or twice is a 400.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeTrack } from '../support/media';
import { readJson, startStack, submit, waitForJob, type TestStack } from '../support/stack';

let dir: string;
let stack: TestStack;
let jobId: string;
let segment: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'strict-requests-'));
  stack = await startStack('strict-requests', { workers: 1 });
  const wav = await readFile(await makeTrack(dir, 'tone', { seconds: 1 }));
  const result = await submit(stack.baseUrl, new Blob([wav]), 'tone.wav');
  jobId = String(result.body['job_id']);
  expect((await waitForJob(stack.baseUrl, jobId)).status).toBe('Completed');
  const playlist = await (await fetch(`${stack.baseUrl}/v1/stream/hls/${jobId}/index.m3u8`)).text();
  segment = playlist.split('\n').find((line) => line.startsWith('segment_')) ?? '';
  expect(segment).not.toBe('');
});

afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('a trailing slash', () => {
  it.each([
    ['a segment', () => `/v1/stream/hls/${jobId}/${segment}`],
    ['a playlist', () => `/v1/stream/hls/${jobId}/index.m3u8`],
    ['a job', () => `/v1/stream/job/${jobId}`],
    ['the job listing', () => '/v1/stream/jobs'],
  ])('on %s is a 404 JSON, while the path without it works', async (_name, route) => {
    expect((await fetch(`${stack.baseUrl}${route()}`)).status).toBe(200);
    const slashed = await fetch(`${stack.baseUrl}${route()}/`);
    expect(slashed.status).toBe(404);
    expect(await readJson(slashed)).toEqual({ error: expect.any(String), code: 'NOT_FOUND' });
    // Asked twice (the segment cache serves repeats in front of Express): still 404.
    expect((await fetch(`${stack.baseUrl}${route()}/`)).status).toBe(404);
  });

  it('still reaches the web page and /health as before', async () => {
    expect((await fetch(`${stack.baseUrl}/`)).status).toBe(200);
    expect((await fetch(`${stack.baseUrl}/health/`)).status).toBe(200);
  });
});

describe('the job listing state filter', () => {
  it.each([
    ['state[]=failed', 'INVALID_STATE'],
    ['state[0]=failed', 'INVALID_STATE'],
    ['state=failed&state=completed', 'INVALID_STATE'],
    ['limit[]=5', 'INVALID_LIMIT'],
  ])('?%s is a 400 %s', async (query, code) => {
    const response = await fetch(`${stack.baseUrl}/v1/stream/jobs?${query}`);
    expect(response.status).toBe(400);
    expect(await readJson(response)).toEqual({ error: expect.any(String), code });
  });

  it('?state=completed still filters', async () => {
    const response = await fetch(`${stack.baseUrl}/v1/stream/jobs?state=completed`);
    expect(response.status).toBe(200);
    const jobs = (await readJson(response))['jobs'];
    expect(Array.isArray(jobs) ? jobs.map((job: { id?: unknown }) => job.id) : jobs).toEqual([jobId]);
  });
});
