import { InvalidInputError } from '@stream-server/errors';
import {
  checkOutboundTarget,
  ForbiddenAddressError,
  OUTBOUND_URL_MAX_LENGTH,
  parseOutboundUrl,
  UnresolvableHostError,
  UnusableUrlError,
  type CheckedTarget,
  type Resolver,
  type UrlFault,
} from '@stream-server/outbound';

/** Longest callback URL accepted (what most servers and proxies take). */
export const CALLBACK_URL_MAX_LENGTH = OUTBOUND_URL_MAX_LENGTH;

export const INVALID_CALLBACK_URL = 'INVALID_CALLBACK_URL';

export type { CheckedTarget };

export interface TargetPolicy {
  /** WEBHOOK_ALLOW_PRIVATE: loopback and private networks are allowed too. */
  readonly allowPrivate: boolean;
  /** DNS resolution (all addresses); replaceable in unit tests. */
  readonly resolve?: Resolver;
}

const SYNTAX_MESSAGES: Readonly<Record<UrlFault, string>> = {
  length: `callback_url must be an http(s) URL of at most ${CALLBACK_URL_MAX_LENGTH} characters.`,
  syntax: 'callback_url is not a valid absolute URL.',
  scheme: 'callback_url must use http or https.',
  credentials: 'callback_url must not carry credentials (user:password@).',
  host: 'callback_url has no host.',
};

/**
 * The syntax half of the check, with no I/O (the shared outbound guard's
 * rules): an absolute http(s) URL of at most 2048 characters, without
 * credentials (receivers authenticate us by the signature instead).
 */
export function parseCallbackUrl(value: string): URL {
  try {
    return parseOutboundUrl(value);
  } catch (err) {
    if (err instanceof UnusableUrlError) throw invalid(SYNTAX_MESSAGES[err.fault]);
    throw err;
  }
}

/**
 * Full check of a callback URL: its syntax, then every address it stands
 * for (the shared outbound guard: one non-public address is enough to
 * refuse). Run at submit, and again by the delivery worker, which then
 * connects only to the addresses checked, so a DNS answer that changes in
 * between (rebinding) cannot steer a delivery into the private network.
 */
export async function checkCallbackTarget(value: string | URL, policy: TargetPolicy): Promise<CheckedTarget> {
  const url = typeof value === 'string' ? parseCallbackUrl(value) : value;
  try {
    return await checkOutboundTarget(url, { allowPrivate: policy.allowPrivate, resolve: policy.resolve });
  } catch (err) {
    if (err instanceof UnresolvableHostError) throw invalid(`The host of callback_url (${err.host}) does not resolve.`);
    if (err instanceof ForbiddenAddressError) {
      throw invalid(
        `callback_url points at a private, loopback or otherwise non-public address (${err.address}); webhooks go to public hosts only.`,
      );
    }
    throw err;
  }
}

function invalid(message: string): InvalidInputError {
  return new InvalidInputError(INVALID_CALLBACK_URL, message);
}
