import type { IncomingMessage } from 'node:http';
import type { AllowList } from './allow-list';
import { bodyToFile, LocalWriteError } from './body-to-file';
import { FetchDeadline } from './fetch-deadline';
import { checkOutboundTarget } from './outbound-guard';
import { parseOutboundUrl } from './outbound-url';
import type { Resolver } from './host-resolution';
import { BodyTooLargeError, sourceErrorOf, sourceTimedOut, sourceUrlInvalid } from './source-errors';
import { requestSource } from './source-request';

/** Redirects followed before giving up, unless the caller says otherwise. */
export const DEFAULT_MAX_REDIRECTS = 5;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface FetchToFileOptions {
  /** Largest body accepted, checked against Content-Length first and then while streaming. */
  readonly maxBytes: number;
  /** The whole fetch, first lookup to last byte, redirects included. */
  readonly timeoutMs: number;
  /** Aborts the fetch; it then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Hosts that may be on private addresses (internal origins an operator trusts); see parseAllowList. */
  readonly allowList?: AllowList;
  /** At most this many redirects are followed (5 by default); one more fails. */
  readonly maxRedirects?: number;
  /** Name resolution to all addresses; the system resolver by default. */
  readonly resolve?: Resolver;
}

export interface FetchedFile {
  readonly bytes: number;
  /** The URL the body came from, after redirects. */
  readonly finalUrl: string;
  /** The origin's Content-Type, as sent; null when there was none. */
  readonly contentType: string | null;
}

/**
 * GETs an http(s) URL into `file` (which must not exist yet), streamed.
 * Every hop goes through the outbound guard before anything is sent:
 * the URL's syntax, then every address of its host (public only, unless
 * allow-listed), and the connection is pinned to the addresses checked.
 * Redirects are followed here, not by the HTTP client, so each Location
 * is checked the same way before it gets a request. On any failure no
 * file is left behind.
 *
 * Fails with the SOURCE_* domain errors (see source-errors.ts), the
 * caller's abort reason, or LocalWriteError when the file cannot be
 * created or written.
 */
export async function fetchToFile(url: string | URL, file: string, options: FetchToFileOptions): Promise<FetchedFile> {
  const allowList = options.allowList ?? [];
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const deadline = new FetchDeadline(options.timeoutMs, options.signal);
  try {
    let current = parseOutboundUrl(typeof url === 'string' ? url : url.href);
    for (let redirects = 0; ; redirects += 1) {
      const target = await deadline.race(checkOutboundTarget(current, { allowList, resolve: options.resolve }));
      const response = await requestSource(target, deadline.signal);
      const location = redirectLocation(response);
      if (location !== undefined) {
        response.destroy();
        if (redirects >= maxRedirects) {
          throw sourceUrlInvalid(`The source URL redirected more than ${maxRedirects} times.`);
        }
        current = parseOutboundUrl(location, current);
        continue;
      }
      const status = response.statusCode ?? 0;
      if (status < 200 || status > 299) {
        response.destroy();
        throw sourceUrlInvalid(`The source URL answered HTTP ${status}, not a file.`);
      }
      if (announcedLength(response) > options.maxBytes) {
        response.destroy();
        throw new BodyTooLargeError(options.maxBytes);
      }
      const bytes = await bodyToFile(response, file, options.maxBytes, deadline.signal);
      return { bytes, finalUrl: current.href, contentType: response.headers['content-type'] ?? null };
    }
  } catch (err) {
    if (deadline.timedOut) throw sourceTimedOut(options.timeoutMs);
    const aborted = deadline.callerAbort;
    if (aborted) throw aborted.reason;
    if (err instanceof LocalWriteError) throw err;
    throw sourceErrorOf(err);
  } finally {
    deadline.dispose();
  }
}

/** Whether the response is a redirect to follow, and where (unresolved); a 3xx without Location is a final answer. */
function redirectLocation(response: IncomingMessage): string | undefined {
  if (!REDIRECTS.has(response.statusCode ?? 0)) return undefined;
  const location = response.headers.location;
  return location === undefined || location === '' ? undefined : location;
}

/** Content-Length as a number; 0 when absent (the streaming count still applies). */
function announcedLength(response: IncomingMessage): number {
  const text = response.headers['content-length'];
  return text !== undefined && /^[0-9]+$/.test(text) ? Number(text) : 0;
}
