import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Logger } from '@stream-server/logger';

/**
 * `res.locals` key by which the HLS routes mark a response as a whole,
 * immutable file (a segment: output is published once, in whole), so the
 * cache below may keep it.
 */
export const IMMUTABLE_FILE_LOCAL = 'immutableFile';

const HLS_PREFIX = '/v1/stream/hls/';
const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;
/** Headers that belong to one response, not to the file. */
const PER_RESPONSE = new Set([
  'x-request-id',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'access-control-allow-origin',
]);
/** Headers that describe a body, which a 304 does not have. */
const BODY_HEADERS = new Set(['content-type', 'content-length']);

export interface SegmentCacheOptions {
  readonly logger: Logger;
  /** Reads a stored file's bytes (from disk or the bucket: StoredFileSender.readBuffer), null when gone. */
  readonly load: (file: string) => Promise<Buffer | null>;
  /** CORS origins (ALLOWED_ORIGINS); `*` allows any. */
  readonly allowedOrigins: readonly string[];
  /** Bytes of segment data kept in memory, least recently used out first. */
  readonly maxBytes?: number;
  /** Larger files are never cached (always streamed from storage). */
  readonly maxEntryBytes?: number;
  /** An entry is served from memory this long, then re-served once from storage, so a deleted output stops being served. */
  readonly maxAgeMs?: number;
}

interface Entry {
  readonly body: Buffer;
  /**
   * The headers Express sent with this file (helmet, CORS, caching,
   * validators…), as the flat name/value list `writeHead` takes: built
   * once, so a hit costs no per-header `setHeader` calls.
   */
  readonly headers: readonly OutgoingHttpHeader[];
  /** The same minus the body's Content-Type and Content-Length, for a 304. */
  readonly notModifiedHeaders: readonly OutgoingHttpHeader[];
  readonly etag: string | null;
  readonly lastModified: number | null;
  readonly loadedAt: number;
}

/**
 * A front for segment GETs, in front of Express. Segments never change,
 * so once Express has served one (with every middleware: helmet, CORS,
 * validators), its bytes and headers are kept in memory and the next GETs
 * of the same URL are answered from there with a few syscalls instead of
 * the middleware stack and a storage read (a disk read, or a bucket
 * round trip): Express's cost per request is several times the cost of
 * writing 200 KB to a socket.
 *
 * Only plain GET/HEAD of /v1/stream/hls/… without a query string or a
 * Range header is served here; everything else goes through Express. Do
 * not install it when HLS needs a playback token or a playback rate limit,
 * nor when segments are answered with redirects to their public URL.
 */
export class HlsSegmentCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Set<Promise<void>>();
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly maxEntryBytes: number;
  private readonly maxAgeMs: number;
  private readonly anyOrigin: boolean;

  constructor(private readonly options: SegmentCacheOptions) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxEntryBytes = options.maxEntryBytes ?? 8 * 1024 * 1024;
    this.maxAgeMs = options.maxAgeMs ?? 30_000;
    this.anyOrigin = options.allowedOrigins.includes('*');
  }

  /**
   * Answers the request from memory and returns true, or returns false
   * (and watches Express's answer, to keep it when it is an immutable file).
   */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? '';
    if (
      (req.method !== 'GET' && req.method !== 'HEAD') ||
      !url.startsWith(HLS_PREFIX) ||
      url.includes('?') ||
      req.headers.range
    ) {
      return false;
    }
    const entry = this.entries.get(url);
    if (!entry || Date.now() - entry.loadedAt > this.maxAgeMs) {
      if (entry) this.drop(url);
      if (req.method === 'GET') res.once('finish', () => this.keep(url, res));
      return false;
    }
    // Most recently used last: Map keeps insertion order.
    this.entries.delete(url);
    this.entries.set(url, entry);
    this.answer(req, res, entry);
    return true;
  }

  /** Entries and bytes held (for tests). */
  size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  /** Resolves once every file being read into the cache is in (for tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.loading]);
  }

  private answer(req: IncomingMessage, res: ServerResponse, entry: Entry): void {
    const started = process.hrtime.bigint();
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const fresh = !notModified(req, entry);
    const headers: OutgoingHttpHeader[] = [
      ...(fresh ? entry.headers : entry.notModifiedHeaders),
      'X-Request-Id',
      requestId,
    ];
    const origin = req.headers.origin;
    if (this.anyOrigin) headers.push('Access-Control-Allow-Origin', '*');
    else if (origin !== undefined && this.options.allowedOrigins.includes(origin))
      headers.push('Access-Control-Allow-Origin', origin);
    res.writeHead(fresh ? 200 : 304, headers);
    res.end(fresh && req.method !== 'HEAD' ? entry.body : undefined);
    // A hit is routine playback (a player asks every few seconds): debug, not info.
    this.options.logger.debug('request', {
      request_id: requestId,
      method: req.method,
      path: req.url,
      status: res.statusCode,
      duration_ms: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10,
      cached: true,
    });
  }

  /** After Express served `url` in full: keep the file and its headers if it is an immutable one. */
  private keep(url: string, res: ServerResponse): void {
    const file: unknown = Reflect.get(Reflect.get(res, 'locals') ?? {}, IMMUTABLE_FILE_LOCAL);
    const length = Number(res.getHeader('content-length'));
    if (typeof file !== 'string' || res.statusCode !== 200 || !Number.isFinite(length) || length > this.maxEntryBytes)
      return;
    const sent: OutgoingHttpHeaders = res.getHeaders();
    const headers: OutgoingHttpHeader[] = [];
    const notModifiedHeaders: OutgoingHttpHeader[] = [];
    for (const [name, value] of Object.entries(sent)) {
      if (value === undefined || PER_RESPONSE.has(name)) continue;
      headers.push(name, value);
      if (!BODY_HEADERS.has(name)) notModifiedHeaders.push(name, value);
    }
    const loading = this.options.load(file).then(
      (body) => {
        // The file must be the one Express sent (same length), else skip it.
        if (body?.length !== length) return;
        this.drop(url);
        const etag = typeof sent['etag'] === 'string' ? sent['etag'] : null;
        const modified = typeof sent['last-modified'] === 'string' ? Date.parse(sent['last-modified']) : NaN;
        this.entries.set(url, {
          body,
          headers,
          notModifiedHeaders,
          etag,
          lastModified: Number.isNaN(modified) ? null : modified,
          loadedAt: Date.now(),
        });
        this.bytes += body.length;
        this.evict();
      },
      () => undefined,
    );
    this.loading.add(loading);
    void loading.finally(() => this.loading.delete(loading));
  }

  /** Drops every cached file of a job (its outputs were taken down). */
  forgetJob(jobId: string): void {
    const prefix = `${HLS_PREFIX}${jobId}/`;
    for (const url of [...this.entries.keys()]) if (url.startsWith(prefix)) this.drop(url);
  }

  private drop(url: string): void {
    const entry = this.entries.get(url);
    if (!entry) return;
    this.entries.delete(url);
    this.bytes -= entry.body.length;
  }

  private evict(): void {
    for (const url of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) return;
      this.drop(url);
    }
  }
}

/** RFC 9110 §13.1: If-None-Match wins; else If-Modified-Since against Last-Modified. */
function notModified(req: IncomingMessage, entry: Entry): boolean {
  const noneMatch = req.headers['if-none-match'];
  if (noneMatch !== undefined) {
    if (entry.etag === null) return false;
    const weak = (tag: string) => tag.trim().replace(/^W\//, '');
    return noneMatch.trim() === '*' || noneMatch.split(',').some((tag) => weak(tag) === weak(entry.etag ?? ''));
  }
  const since = req.headers['if-modified-since'];
  if (since === undefined || entry.lastModified === null) return false;
  const sinceMs = Date.parse(since);
  return !Number.isNaN(sinceMs) && entry.lastModified <= sinceMs;
}
