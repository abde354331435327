import { StreamApiError, StreamNetworkError, StreamTimeoutError } from './errors';
import {
  apiErrorOf,
  expectBody,
  isJob,
  isJobList,
  isQueueStats,
  isSubmitResponse,
  parseJson,
  progressOf,
} from './response-checks';
import { RESUMABLE_UPLOADS_PATH, runResumableUpload, type ResumableUploadOptions } from './resumable-upload';
import { readEvents } from './sse-reader';
import {
  isTerminalStatus,
  type Job,
  type JobList,
  type QueueStats,
  type SubmitOptions,
  type SubmitResponse,
  type WaitOptions,
} from './types';

export interface StreamClientOptions {
  /** Where the API is, e.g. `http://localhost:8082` (a path prefix behind a proxy is kept). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>` (an API key or a JWT). */
  apiKey?: string;
  /** A fetch to use instead of the global one (tests, proxies, retries). */
  fetch?: typeof fetch;
}

const DEFAULT_POLL_MS = 2_000;
const MAX_RECONNECT_DELAY_MS = 5_000;

/** What following the events stream gave: the final job, "no such route", or a stream that ended early. */
type EventsOutcome = Job | 'unsupported' | 'interrupted';

/** Typed client of the stream-server HTTP API (Node ≥ 20). */
export class StreamClient {
  readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  private readonly fetchImpl: typeof fetch;

  constructor(options: StreamClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /**
   * Uploads a track and queues it. A path is streamed from disk (never
   * read into memory, so a 1 GiB file costs no more than a small one).
   */
  async submit(file: string | Blob | Uint8Array, options: SubmitOptions = {}): Promise<SubmitResponse> {
    const { blob, name } = await toUpload(file, options.fileName);
    const form = new FormData();
    form.append('file', blob, name);
    for (const [key, value] of Object.entries(formFields(options))) form.append(key, value);
    const text = await this.send('POST', '/v1/stream/transcode', { body: form, signal: options.signal });
    return expectBody(text, isSubmitResponse, 'a submit response');
  }

  /**
   * The same submit over tus (`/v1/stream/uploads`): an upload that
   * survives dropped connections, resuming from the offset the server
   * holds. Answers the submit's `{job_id, status, message}`.
   */
  async uploadResumable(
    file: string | Uint8Array,
    fields: SubmitOptions = {},
    options: ResumableUploadOptions = {},
  ): Promise<SubmitResponse> {
    const name = fields.fileName ?? (typeof file === 'string' ? file.split(/[\\/]/).pop() : undefined) ?? 'upload';
    return runResumableUpload(
      file,
      {
        endpoint: this.url(RESUMABLE_UPLOADS_PATH),
        headers: this.apiKey ? { Authorization: `Bearer ${this.apiKey}` } : {},
        metadata: { filename: name, ...formFields(fields) },
      },
      { ...options, signal: options.signal ?? fields.signal },
    );
  }

  async get(id: string, signal?: AbortSignal): Promise<Job> {
    return expectBody(await this.send('GET', jobPath(id), { signal }), isJob, 'a job');
  }

  /** Cancels a pending or running job; answers the job, now `Cancelled`. */
  async cancel(id: string): Promise<Job> {
    return expectBody(await this.send('DELETE', jobPath(id), {}), isJob, 'a job');
  }

  /** Recent jobs, newest first. */
  async list(query: { limit?: number; state?: string } = {}): Promise<JobList> {
    const params = new URLSearchParams();
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.state !== undefined) params.set('state', query.state);
    const search = params.toString();
    const suffix = search ? `?${search}` : '';
    return expectBody(await this.send('GET', `/v1/stream/jobs${suffix}`, {}), isJobList, 'a job list');
  }

  async stats(): Promise<QueueStats> {
    return expectBody(await this.send('GET', '/v1/stream/queue/stats', {}), isQueueStats, 'queue stats');
  }

  /**
   * Absolute playlist URL: the job's own `manifest_url` (which carries the
   * playback token when HLS is signed), or the unsigned route for an id.
   */
  manifestUrl(job: string | Pick<Job, 'id' | 'manifest_url'>): string {
    if (typeof job === 'string') return this.url(`/v1/stream/hls/${encodeURIComponent(job)}/index.m3u8`);
    return this.url(job.manifest_url ?? `/v1/stream/hls/${encodeURIComponent(job.id)}/index.m3u8`);
  }

  /** An absolute URL for a server path (`/v1/...`), keeping any prefix of `baseUrl`. */
  url(path: string): string {
    return /^https?:\/\//.test(path) ? path : `${this.baseUrl}${path.startsWith('/') ? '' : '/'}${path}`;
  }

  /**
   * Resolves with the job once it is Completed, Failed(…) or Cancelled
   * (it does not throw for a failed job: check `status`). Follows the
   * server's event stream; if the server has no events route, polls
   * every 2 s; if the stream drops, checks the job and reconnects.
   */
  async waitFor(id: string, options: WaitOptions = {}): Promise<Job> {
    const timeout = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
    const signals = [options.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
    let last: number | undefined;
    const report = (progress: number, job?: Job): void => {
      if (progress === last && job === undefined) return;
      last = progress;
      options.onProgress?.(progress, job);
    };
    try {
      for (let attempt = 1; ; attempt++) {
        const outcome = await this.followEvents(id, report, signal);
        if (outcome === 'unsupported')
          return await this.poll(id, report, options.pollIntervalMs ?? DEFAULT_POLL_MS, signal);
        if (outcome !== 'interrupted') return outcome;
        const job = await this.get(id, signal);
        report(job.progress, job);
        if (isTerminalStatus(job.status)) return job;
        await sleep(Math.min(250 * attempt, MAX_RECONNECT_DELAY_MS), signal);
      }
    } catch (err) {
      if (timeout?.aborted && !options.signal?.aborted) {
        throw new StreamTimeoutError(`Job ${id} did not finish within ${options.timeoutMs} ms.`);
      }
      throw err;
    }
  }

  private async followEvents(
    id: string,
    report: (progress: number, job?: Job) => void,
    signal: AbortSignal | undefined,
  ): Promise<EventsOutcome> {
    const response = await this.fetchOrThrow('GET', `${jobPath(id)}/events`, {
      headers: { Accept: 'text/event-stream' },
      signal,
    });
    if (!response.ok) {
      const error = apiErrorOf(response.status, await response.text());
      // A server without the route (older, or a proxy that drops it): poll instead.
      if ((response.status === 404 && error.code !== 'JOB_NOT_FOUND') || response.status === 405) return 'unsupported';
      throw error;
    }
    if (!response.body || !(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      await response.body?.cancel();
      return 'unsupported';
    }
    let final: Job | undefined;
    await readEvents(response.body, (event) => {
      const data = parseJson(event.data);
      if (event.event === 'progress') {
        const progress = progressOf(data);
        if (progress !== null) report(progress);
        return false;
      }
      if (!isJob(data)) return false;
      report(data.progress, data);
      if (isTerminalStatus(data.status)) final = data;
      return final !== undefined;
    });
    return final ?? 'interrupted';
  }

  private async poll(
    id: string,
    report: (progress: number, job?: Job) => void,
    intervalMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Job> {
    for (;;) {
      const job = await this.get(id, signal);
      report(job.progress, job);
      if (isTerminalStatus(job.status)) return job;
      await sleep(intervalMs, signal);
    }
  }

  /** One request; answers the body text of a 2xx, throws StreamApiError otherwise. */
  private async send(
    method: string,
    path: string,
    init: { body?: FormData; signal?: AbortSignal | undefined },
  ): Promise<string> {
    const response = await this.fetchOrThrow(method, path, { ...init, headers: { Accept: 'application/json' } });
    const text = await response.text();
    if (!response.ok) throw apiErrorOf(response.status, text);
    return text;
  }

  private async fetchOrThrow(
    method: string,
    path: string,
    init: { body?: FormData; signal?: AbortSignal | undefined; headers: Record<string, string> },
  ): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.apiKey) headers['Authorization'] = `Bearer ${this.apiKey}`;
    try {
      return await this.fetchImpl(this.url(path), { method, headers, body: init.body, signal: init.signal });
    } catch (err) {
      if (init.signal?.aborted || err instanceof StreamApiError) throw err;
      throw new StreamNetworkError(`Cannot reach ${this.baseUrl}: ${reasonOf(err)}`, { cause: err });
    }
  }
}

function jobPath(id: string): string {
  return `/v1/stream/job/${encodeURIComponent(id)}`;
}

/** The form fields the server reads, as it spells them. */
export function formFields(options: SubmitOptions): Record<string, string> {
  const fields: Record<string, string> = {};
  if (options.codec !== undefined) fields['codec'] = options.codec;
  if (options.bitrate !== undefined) fields['bitrate'] = String(options.bitrate);
  if (options.profile !== undefined) fields['quality_profile'] = options.profile;
  if (options.priority !== undefined) fields['priority'] = options.priority;
  if (options.trackId !== undefined) fields['track_id'] = options.trackId;
  if (options.renditions !== undefined) fields['renditions'] = options.renditions.join(',');
  if (options.abr) fields['abr'] = 'true';
  if (options.normalize) fields['normalize'] = 'true';
  if (options.download) fields['download'] = 'true';
  if (options.callbackUrl !== undefined) fields['callback_url'] = options.callbackUrl;
  return fields;
}

async function toUpload(
  file: string | Blob | Uint8Array,
  fileName: string | undefined,
): Promise<{ blob: Blob; name: string }> {
  if (typeof file === 'string') {
    // Loaded lazily so bundlers for the browser (Blob uploads) need no `fs`.
    const { openAsBlob } = await import('node:fs');
    return { blob: await openAsBlob(file), name: fileName ?? file.split(/[\\/]/).pop() ?? 'upload' };
  }
  if (file instanceof Blob) return { blob: file, name: fileName ?? 'upload' };
  return { blob: new Blob([file]), name: fileName ?? 'upload' };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function reasonOf(err: unknown): string {
  const cause: unknown = err instanceof Error ? err.cause : undefined;
  if (cause instanceof Error) return cause.message;
  return err instanceof Error ? err.message : String(err);
}
