// Shared helpers of the upload page and the ops page: the API key, JSON
// calls with the bearer header, errors as `{error, code}`, and following a
// job live (SSE read over fetch, else polling).
// Field names of API bodies come from ./contract.js, which the API writes
// from the schemas that declare them.
import { ERROR, isTerminal, JOB, PROGRESS } from './contract.js';

const KEY_STORAGE = 'stream-server.api-key';
const TERMINAL_EVENTS = new Set(['completed', 'failed', 'cancelled']);

/** An API refusal or a network failure, with the server's sentence and code. */
export class ApiError extends Error {
  constructor(message, code, status) {
    super(message);
    this.code = code;
    this.status = status;
  }

  /** The API answers 401/403 with these codes when the key is missing or not good enough. */
  get needsKey() {
    return ['AUTH_REQUIRED', 'INVALID_TOKEN', 'TOKEN_EXPIRED', 'INSUFFICIENT_SCOPE'].includes(this.code);
  }
}

// sessionStorage, not localStorage: the key goes away with the tab.
export function getApiKey() {
  try {
    return sessionStorage.getItem(KEY_STORAGE) ?? '';
  } catch {
    return '';
  }
}

export function setApiKey(value) {
  try {
    if (value) sessionStorage.setItem(KEY_STORAGE, value);
    else sessionStorage.removeItem(KEY_STORAGE);
  } catch {
    // Storage disabled (private mode): the key then lives only in the field.
  }
}

/** Keeps an <input> and the stored key in step. */
export function bindApiKeyField(input) {
  input.value = getApiKey();
  input.addEventListener('change', () => setApiKey(input.value.trim()));
}

export function authHeaders(extra = {}) {
  const key = getApiKey();
  return key ? { ...extra, Authorization: `Bearer ${key}` } : { ...extra };
}

/** A relative API URL made absolute against this page (for copying). */
export function absoluteUrl(url) {
  return new URL(url, window.location.href).href;
}

/** The `{error, code}` of a response body, or a plain sentence for anything else. */
export function errorFrom(status, text) {
  try {
    const body = JSON.parse(text);
    if (body && typeof body[ERROR.error] === 'string') {
      return new ApiError(body[ERROR.error], String(body[ERROR.code] ?? `HTTP_${status}`), status);
    }
  } catch {
    // not JSON: a proxy's HTML page, say
  }
  return new ApiError(`The server answered ${status}.`, `HTTP_${status}`, status);
}

/** GET (or other) JSON with the bearer header; throws ApiError on a non-2xx answer. */
export async function getJson(url, init = {}) {
  let response;
  try {
    response = await fetch(url, { ...init, headers: authHeaders(init.headers ?? {}), cache: 'no-store' });
  } catch {
    throw new ApiError('The server could not be reached.', 'NETWORK', 0);
  }
  const text = await response.text();
  if (!response.ok) throw errorFrom(response.status, text);
  return JSON.parse(text);
}

/**
 * Server-sent events read from a fetch() body. EventSource cannot send an
 * Authorization header, so with auth on it would never be let in.
 * Yields `{ event, data, id }`; comments (the keep-alives) are skipped.
 */
async function* readEventStream(response, signal) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = { event: 'message', data: [], id: null };
  try {
    for (;;) {
      if (signal?.aborted) return;
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') {
          if (event.data.length > 0) yield { event: event.event, data: event.data.join('\n'), id: event.id };
          event = { event: 'message', data: [], id: null };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event.event = value;
        else if (field === 'data') event.data.push(value);
        else if (field === 'id') event.id = value;
      }
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

/**
 * Follows a job until it ends: the SSE stream when the server has one,
 * else (404, stream cut, no fetch streams) GET job once a second.
 * `onJob(body)` gets every full job body, `onProgress(n)` every progress
 * number. Resolves with the final job body.
 */
export async function followJob(jobId, { onJob, onProgress, onMode = () => {} }) {
  const jobUrl = `/v1/stream/job/${encodeURIComponent(jobId)}`;
  const viaEvents = await followEvents(`${jobUrl}/events`, onJob, onProgress, () => onMode('events')).catch((error) => {
    if (error instanceof ApiError && error.needsKey) throw error;
    return null;
  });
  if (viaEvents) return viaEvents;
  onMode('polling');
  for (;;) {
    const job = await getJson(jobUrl);
    onJob(job);
    if (isTerminal(job[JOB.status])) return job;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** The final job body from the event stream, or null when the stream is missing or ended early. */
async function followEvents(url, onJob, onProgress, onOpen) {
  const response = await fetch(url, { headers: authHeaders({ Accept: 'text/event-stream' }), cache: 'no-store' });
  const type = response.headers.get('Content-Type') ?? '';
  if (!response.ok) {
    const error = errorFrom(response.status, await response.text());
    if (error.needsKey) throw error;
    return null;
  }
  if (!type.startsWith('text/event-stream') || !response.body) return null;
  onOpen();
  for await (const message of readEventStream(response)) {
    let data;
    try {
      data = JSON.parse(message.data);
    } catch {
      continue;
    }
    if (message.event === 'progress' && typeof data[PROGRESS.progress] === 'number')
      onProgress(data[PROGRESS.progress]);
    else if (data && typeof data[JOB.status] === 'string') {
      onJob(data);
      if (TERMINAL_EVENTS.has(message.event)) return data;
    }
  }
  return null;
}

/** A DOM element with attributes and children; text goes in as text, never as HTML. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'className') node.className = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
