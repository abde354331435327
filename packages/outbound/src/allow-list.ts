import { InvalidAllowListEntryError } from './guard-signals';

/** One host an operator lets outbound requests reach whatever its addresses; any port when `port` is null. */
export interface AllowListEntry {
  readonly host: string;
  readonly port: number | null;
}

export type AllowList = readonly AllowListEntry[];

// A name (letters, digits, dots, hyphens; no wildcards) or an IPv4
// literal, or an IPv6 literal in brackets; then an optional port.
const ENTRY = /^(\[[0-9a-f:.]+\]|[\p{L}\p{N}\p{M}._-]+)(?::([0-9]{1,5}))?$/iu;

/**
 * Parses `host` and `host:port` entries (a list, or one string separated
 * by commas or white space). Hosts are compared after the same WHATWG
 * normalisation a request URL gets (case, IDN, IPv4 spellings, IPv6
 * compression), so `LOCALHOST` matches `http://localhost/` and
 * `0x7f.1` matches `http://127.0.0.1/`. Throws InvalidAllowListEntryError
 * on the first bad entry: a typo must not silently allow nothing (or more).
 */
export function parseAllowList(entries: string | readonly string[]): AllowList {
  const list = typeof entries === 'string' ? entries.split(/[\s,]+/) : entries;
  return list.map((entry) => entry.trim()).flatMap((entry) => (entry === '' ? [] : [parseEntry(entry)]));
}

/**
 * True when the URL's host (exactly, no subdomains) and port are on the
 * list; a URL without a port is on its scheme's default port.
 */
export function isAllowListed(allowList: AllowList, url: URL): boolean {
  const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return allowList.some((entry) => entry.host === url.hostname && (entry.port === null || entry.port === port));
}

function parseEntry(entry: string): AllowListEntry {
  const match = ENTRY.exec(entry);
  const host = match?.[1];
  if (host === undefined) throw new InvalidAllowListEntryError(entry);
  const portText = match?.[2];
  const port = portText === undefined ? null : Number(portText);
  if (port !== null && (port < 1 || port > 65535)) throw new InvalidAllowListEntryError(entry);
  let normalised: string;
  try {
    normalised = new URL(`http://${host}/`).hostname;
  } catch {
    throw new InvalidAllowListEntryError(entry);
  }
  return { host: normalised, port };
}
