import { DomainError, InvalidInputError, TooLargeError, UpstreamTimeoutError } from '@stream-server/errors';
import { ForbiddenAddressError, UnresolvableHostError, UnusableUrlError } from './guard-signals';

/**
 * The codes fetchToFile fails with (besides the caller's own abort reason
 * and local file-system errors, which pass through unchanged):
 *
 * - SOURCE_URL_INVALID (invalid-input): the URL cannot be fetched: bad
 *   syntax, not http(s), credentials in it, over 2048 characters, a host
 *   that does not resolve, an origin that refuses or drops the connection
 *   or answers a non-2xx status, a bad redirect Location, more than the
 *   allowed redirects. All are fixed by sending another URL.
 * - SOURCE_URL_FORBIDDEN (invalid-input): the host is, or resolves to, a
 *   loopback, private or otherwise non-public address (at the start or
 *   after a redirect) and is not on the allow-list.
 * - SOURCE_TOO_LARGE (too-large): Content-Length or the bytes received
 *   exceed maxBytes.
 * - SOURCE_FETCH_TIMEOUT (upstream-timeout): the whole fetch, from the first
 *   lookup to the last byte, took longer than timeoutMs.
 */
export const SOURCE_URL_INVALID = 'SOURCE_URL_INVALID';
export const SOURCE_URL_FORBIDDEN = 'SOURCE_URL_FORBIDDEN';
export const SOURCE_TOO_LARGE = 'SOURCE_TOO_LARGE';
export const SOURCE_FETCH_TIMEOUT = 'SOURCE_FETCH_TIMEOUT';

/** The body (announced or received) is over the limit; raised while streaming. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';

  constructor(readonly maxBytes: number) {
    super(`over ${maxBytes} bytes`);
  }
}

export function sourceUrlInvalid(message: string): InvalidInputError {
  return new InvalidInputError(SOURCE_URL_INVALID, message);
}

export function sourceTimedOut(timeoutMs: number): UpstreamTimeoutError {
  return new UpstreamTimeoutError(
    SOURCE_FETCH_TIMEOUT,
    `The source URL did not deliver its file within ${timeoutMs} ms.`,
  );
}

/** The guard's signals, size overruns and network failures, as the domain errors above. */
export function sourceErrorOf(err: unknown): unknown {
  if (err instanceof DomainError) return err;
  if (err instanceof UnusableUrlError) return sourceUrlInvalid(`The source URL is ${err.message}.`);
  if (err instanceof UnresolvableHostError) {
    return sourceUrlInvalid(`The host of the source URL (${err.host}) does not resolve.`);
  }
  if (err instanceof ForbiddenAddressError) {
    return new InvalidInputError(
      SOURCE_URL_FORBIDDEN,
      `The source URL's host (${err.host}) is or resolves to a private, loopback or otherwise non-public address (${err.address}); only public hosts can be fetched.`,
    );
  }
  if (err instanceof BodyTooLargeError) {
    return new TooLargeError(SOURCE_TOO_LARGE, `The source file is larger than ${err.maxBytes} bytes.`);
  }
  return sourceUrlInvalid(`The source URL could not be fetched (${networkReason(err)}).`);
}

function networkReason(err: unknown): string {
  if (err instanceof Error) {
    const code = 'code' in err && typeof err.code === 'string' ? err.code : undefined;
    return code ?? err.message;
  }
  return String(err);
}
