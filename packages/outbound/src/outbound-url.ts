import { UnusableUrlError } from './guard-signals';

/** Longest URL accepted (what most servers and proxies take). */
export const OUTBOUND_URL_MAX_LENGTH = 2048;

/**
 * The syntax half of the guard, with no I/O: an absolute http(s) URL of
 * at most 2048 characters, with a host and without credentials (they
 * would be logged and stored in clear). `base` resolves a relative
 * redirect Location. The fragment is dropped: it is never sent anyway.
 *
 * Numeric IPv4 spellings (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`)
 * need no handling here: WHATWG URL parsing already rewrites them to the
 * dotted form, so the address policy sees `127.0.0.1`.
 */
export function parseOutboundUrl(value: string, base?: URL): URL {
  const text = value.trim();
  if (text.length === 0 || text.length > OUTBOUND_URL_MAX_LENGTH) {
    throw new UnusableUrlError('length', `not an http(s) URL of at most ${OUTBOUND_URL_MAX_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw new UnusableUrlError('syntax', 'not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UnusableUrlError('scheme', 'not http or https');
  if (url.username !== '' || url.password !== '') {
    throw new UnusableUrlError('credentials', 'carries credentials (user:password@)');
  }
  if (url.hostname === '') throw new UnusableUrlError('host', 'has no host');
  url.hash = '';
  // A relative Location can grow past the cap once resolved against its base.
  if (url.href.length > OUTBOUND_URL_MAX_LENGTH) {
    throw new UnusableUrlError('length', `not an http(s) URL of at most ${OUTBOUND_URL_MAX_LENGTH} characters`);
  }
  return url;
}
