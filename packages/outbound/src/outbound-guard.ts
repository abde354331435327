import { firstRefusedAddress, type ResolvedAddress } from './address-policy';
import { isAllowListed, type AllowList } from './allow-list';
import { ForbiddenAddressError } from './guard-signals';
import { bareHostname, resolveHost, type Resolver } from './host-resolution';

export interface OutboundPolicy {
  /** Hosts an operator trusts on private addresses (internal origins); matched on the URL's host and port. */
  readonly allowList?: AllowList;
  /** Every address allowed, loopback and private included (development setups). */
  readonly allowPrivate?: boolean;
  /** Name resolution to all addresses; the system resolver by default. */
  readonly resolve?: Resolver;
}

/** A URL with the addresses it was checked against: connect only to these (see pinnedLookup). */
export interface CheckedTarget {
  readonly url: URL;
  readonly addresses: readonly ResolvedAddress[];
}

/**
 * The address half of the guard, for a URL parseOutboundUrl accepted:
 * every address the host stands for (the literal IP, or all the resolver
 * returns) must be public, unless the host is allow-listed or the policy
 * allows private targets. One non-public address is enough to refuse.
 * Allow-listed hosts are still resolved: the connection is pinned to what
 * was resolved here either way.
 *
 * Throws UnresolvableHostError or ForbiddenAddressError.
 */
export async function checkOutboundTarget(url: URL, policy: OutboundPolicy = {}): Promise<CheckedTarget> {
  const addresses = await resolveHost(url, policy.resolve);
  if (policy.allowPrivate === true || isAllowListed(policy.allowList ?? [], url)) return { url, addresses };
  const refused = firstRefusedAddress(addresses);
  if (refused) throw new ForbiddenAddressError(bareHostname(url), refused.address);
  return { url, addresses };
}
