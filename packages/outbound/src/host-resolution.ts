import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ResolvedAddress } from './address-policy';
import { UnresolvableHostError } from './guard-signals';

/** Name resolution to every address; replaceable in tests. */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** A URL's host as a socket wants it: IPv6 literals without their brackets. */
export function bareHostname(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * The addresses a URL's host stands for: the literal IP, or all the
 * resolver returns (not just the first: the socket could be given any).
 */
export async function resolveHost(url: URL, resolve: Resolver = resolveAll): Promise<readonly ResolvedAddress[]> {
  const host = bareHostname(url);
  const family = isIP(host);
  if (family === 4 || family === 6) return [{ address: host, family }];
  let addresses: readonly ResolvedAddress[];
  try {
    addresses = await resolve(host);
  } catch (err) {
    throw new UnresolvableHostError(host, { cause: err });
  }
  if (addresses.length === 0) throw new UnresolvableHostError(host);
  return addresses;
}

/** The system resolver (hosts file, then DNS), every answer, in its own order. */
async function resolveAll(hostname: string): Promise<readonly ResolvedAddress[]> {
  const found = await lookup(hostname, { all: true, verbatim: true });
  return found.flatMap((entry) =>
    entry.family === 4 || entry.family === 6 ? [{ address: entry.address, family: entry.family }] : [],
  );
}
