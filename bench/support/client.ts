import { openAsBlob } from 'node:fs';
import { run } from './processes';
import path from 'node:path';

export interface JobBody {
  readonly id: string;
  readonly status: string;
  readonly manifest_url?: string | null;
}

/** POST /v1/stream/transcode with the file streamed from disk; resolves with the job id. */
export async function submit(
  baseUrl: string,
  file: string,
  fields: Readonly<Record<string, string>> = {},
): Promise<string> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  form.append('file', await openAsBlob(file), path.basename(file));
  const res = await fetch(`${baseUrl}/v1/stream/transcode`, { method: 'POST', body: form });
  const body: unknown = await res.json();
  const jobId: unknown = typeof body === 'object' && body !== null ? Reflect.get(body, 'job_id') : undefined;
  if (res.status !== 200 || typeof jobId !== 'string')
    throw new Error(`submit answered ${res.status}: ${JSON.stringify(body)}`);
  return jobId;
}

async function getJob(baseUrl: string, jobId: string): Promise<JobBody> {
  const res = await fetch(`${baseUrl}/v1/stream/job/${jobId}`);
  const body: unknown = await res.json();
  if (res.status !== 200 || typeof body !== 'object' || body === null)
    throw new Error(`job read answered ${res.status}`);
  const status: unknown = Reflect.get(body, 'status');
  const manifest: unknown = Reflect.get(body, 'manifest_url');
  if (typeof status !== 'string') throw new Error('job body without status');
  return { id: jobId, status, manifest_url: typeof manifest === 'string' ? manifest : null };
}

/** Polls the job every `everyMs` (the issue says 100 ms) until Completed; throws on Failed/Cancelled. */
export async function waitCompleted(
  baseUrl: string,
  jobId: string,
  everyMs = 100,
  timeoutMs = 600_000,
): Promise<JobBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(baseUrl, jobId);
    if (job.status === 'Completed') return job;
    if (job.status.startsWith('Failed') || job.status === 'Cancelled')
      throw new Error(`job ${jobId} ended ${job.status}`);
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * The same submit sent by curl: a lean C client, so a figure that includes
 * the upload measures the server's time, not undici's multipart encoder
 * (which costs about twice curl's time for a 50 MB file).
 */
export async function submitWithCurl(
  baseUrl: string,
  file: string,
  fields: Readonly<Record<string, string>> = {},
): Promise<string> {
  const args = ['-sS', '-H', 'Expect:', '-w', '\n%{http_code}'];
  for (const [key, value] of Object.entries(fields)) args.push('-F', `${key}=${value}`);
  args.push('-F', `file=@${file}`, `${baseUrl}/v1/stream/transcode`);
  const out = await run('curl', args);
  const cut = out.lastIndexOf('\n');
  const status = out.slice(cut + 1).trim();
  const body: unknown = JSON.parse(out.slice(0, cut));
  const jobId: unknown = typeof body === 'object' && body !== null ? Reflect.get(body, 'job_id') : undefined;
  if (status !== '200' || typeof jobId !== 'string') throw new Error(`submit answered ${status}: ${out.slice(0, cut)}`);
  return jobId;
}
