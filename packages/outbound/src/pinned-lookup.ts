import type { LookupFunction } from 'node:net';
import type { ResolvedAddress } from './address-policy';

/**
 * A `lookup` for http(s).request that answers only with the addresses
 * already checked, so the socket connects where the guard looked and a
 * DNS answer that changed in between (rebinding) cannot steer it. The
 * host name stays in the request for Host and TLS SNI/certificate checks.
 */
export function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const family = options.family === 4 || options.family === 6 ? options.family : null;
    const matching = family === null ? addresses : addresses.filter((candidate) => candidate.family === family);
    const first = matching[0];
    if (!first) {
      callback(Object.assign(new Error('no checked address of the requested family'), { code: 'ENOTFOUND' }), '', 0);
      return;
    }
    if (options.all) {
      callback(
        null,
        matching.map((candidate) => ({ address: candidate.address, family: candidate.family })),
      );
    } else callback(null, first.address, first.family);
  };
}
