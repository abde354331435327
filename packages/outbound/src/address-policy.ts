import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** An address a host stands for, as `lookup` hands it to a socket. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

// IPv4-compatible IPv6 (::a.b.c.d, deprecated by RFC 4291) is not a range
// ipaddr.js names, so it would pass as unicast while embedding any IPv4.
const IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR('::/96');

/**
 * True for ordinary public unicast addresses only. Everything ipaddr.js
 * puts in a special range is refused: loopback, private (RFC 1918),
 * link-local (cloud metadata lives at 169.254.169.254), CGNAT, multicast,
 * broadcast, unspecified, reserved and documentation ranges,
 * unique-local, and the IPv6 forms that embed an IPv4 address (NAT64,
 * 6to4, Teredo: refused whatever they embed). IPv4-mapped IPv6 is judged
 * by the IPv4 it maps, so ::ffff:127.0.0.1 is loopback. Only the
 * canonical text forms `isIP` accepts count: anything else is not public.
 */
export function isPublicAddress(address: string): boolean {
  if (isIP(address) === 0) return false;
  // process() turns ::ffff:a.b.c.d into a.b.c.d.
  const parsed = ipaddr.process(address);
  if (parsed instanceof ipaddr.IPv6 && parsed.match(IPV4_COMPATIBLE)) return false;
  return parsed.range() === 'unicast';
}

/** The first address that is not public (one is enough: the connection could use any). */
export function firstRefusedAddress(addresses: readonly ResolvedAddress[]): ResolvedAddress | undefined {
  return addresses.find((candidate) => !isPublicAddress(candidate.address));
}
