import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { InvalidInputError } from '@stream-server/errors';

/** Longest callback URL accepted (what most servers and proxies take). */
export const CALLBACK_URL_MAX_LENGTH = 2048;

export const INVALID_CALLBACK_URL = 'INVALID_CALLBACK_URL';

/** An address a webhook may be sent to, as `lookup` hands it to a socket. */
export interface TargetAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** A callback URL with the addresses it was checked against (connect only to these). */
export interface CheckedTarget {
  readonly url: URL;
  readonly addresses: readonly TargetAddress[];
}

export interface TargetPolicy {
  /** WEBHOOK_ALLOW_PRIVATE: loopback and private networks are allowed too. */
  readonly allowPrivate: boolean;
  /** DNS resolution (all addresses); replaceable in unit tests. */
  readonly resolve?: (hostname: string) => Promise<readonly TargetAddress[]>;
}

/**
 * The syntax half of the check, with no I/O: an absolute http(s) URL of at
 * most 2048 characters, without credentials (they would be logged and
 * stored in clear; receivers authenticate us by the signature instead).
 */
export function parseCallbackUrl(value: string): URL {
  const text = value.trim();
  if (text.length === 0 || text.length > CALLBACK_URL_MAX_LENGTH) {
    throw invalid(`callback_url must be an http(s) URL of at most ${CALLBACK_URL_MAX_LENGTH} characters.`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid('callback_url is not a valid absolute URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('callback_url must use http or https.');
  if (url.username !== '' || url.password !== '')
    throw invalid('callback_url must not carry credentials (user:password@).');
  if (url.hostname === '') throw invalid('callback_url has no host.');
  url.hash = '';
  return url;
}

/**
 * True for ordinary public unicast addresses only. Everything ipaddr.js
 * puts in a special range is refused: loopback, private (RFC 1918),
 * link-local (cloud metadata lives at 169.254.169.254), unique-local,
 * multicast, unspecified, CGNAT, reserved, and IPv6 forms that embed an
 * IPv4 address (mapped ones are judged by that address).
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  // process() turns ::ffff:a.b.c.d into a.b.c.d, so mapped loopback is loopback.
  return ipaddr.process(address).range() === 'unicast';
}

/**
 * Full check of a callback URL: its syntax, then every address it stands
 * for: the literal IP, or all that DNS returns (one private address is
 * enough to refuse: the connection could go to any). Run at submit, and
 * again by the delivery worker, which then connects only to the addresses
 * checked here, so a DNS answer that changes in between (rebinding)
 * cannot steer a delivery into the private network.
 */
export async function checkCallbackTarget(value: string | URL, policy: TargetPolicy): Promise<CheckedTarget> {
  const url = typeof value === 'string' ? parseCallbackUrl(value) : value;
  const addresses = await resolveCallbackHost(url, policy.resolve);
  const blocked = policy.allowPrivate ? undefined : firstRefusedAddress(addresses);
  if (blocked) {
    throw invalid(
      `callback_url points at a private, loopback or otherwise non-public address (${blocked.address}); webhooks go to public hosts only.`,
    );
  }
  return { url, addresses };
}

/** The addresses a callback URL's host stands for: the literal IP, or all DNS returns. */
export async function resolveCallbackHost(
  url: URL,
  resolve: (hostname: string) => Promise<readonly TargetAddress[]> = resolveAll,
): Promise<readonly TargetAddress[]> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(host);
  if (family === 4 || family === 6) return [{ address: host, family }];
  let addresses: readonly TargetAddress[];
  try {
    addresses = await resolve(host);
  } catch {
    throw invalid(`The host of callback_url (${host}) does not resolve.`);
  }
  if (addresses.length === 0) throw invalid(`The host of callback_url (${host}) does not resolve.`);
  return addresses;
}

/** The first address a webhook may not go to (one is enough: the connection could use any). */
export function firstRefusedAddress(addresses: readonly TargetAddress[]): TargetAddress | undefined {
  return addresses.find((candidate) => !isPublicAddress(candidate.address));
}

async function resolveAll(hostname: string): Promise<readonly TargetAddress[]> {
  const found = await lookup(hostname, { all: true, verbatim: true });
  return found.flatMap((entry) =>
    entry.family === 4 || entry.family === 6 ? [{ address: entry.address, family: entry.family }] : [],
  );
}

function invalid(message: string): InvalidInputError {
  return new InvalidInputError(INVALID_CALLBACK_URL, message);
}
