/**
 * What the outbound guard throws when it refuses a target. They are
 * signals, not user-facing errors: each caller (webhooks, the source
 * fetcher) turns them into its own domain error and wording.
 */

/** Why a URL was refused before any I/O. */
export type UrlFault = 'length' | 'syntax' | 'scheme' | 'credentials' | 'host';

/** The URL itself cannot be used: too long, not absolute, not http(s), carrying credentials, or without a host. */
export class UnusableUrlError extends Error {
  override readonly name = 'UnusableUrlError';

  constructor(
    readonly fault: UrlFault,
    message: string,
  ) {
    super(message);
  }
}

/** The URL's host name has no address (lookup failed or answered nothing). */
export class UnresolvableHostError extends Error {
  override readonly name = 'UnresolvableHostError';

  constructor(
    readonly host: string,
    options?: { cause?: unknown },
  ) {
    super(`${host} does not resolve`, options);
  }
}

/** The host is, or resolves to, an address outside the public internet (and it is not allow-listed). */
export class ForbiddenAddressError extends Error {
  override readonly name = 'ForbiddenAddressError';

  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`${host} is or resolves to the non-public address ${address}`);
  }
}

/** An allow-list entry that is not `host` or `host:port`. */
export class InvalidAllowListEntryError extends Error {
  override readonly name = 'InvalidAllowListEntryError';

  constructor(readonly entry: string) {
    super(`outbound allow-list entry ${JSON.stringify(entry)} is not host or host:port (IPv6 in brackets)`);
  }
}
