import { ForbiddenError, UnauthenticatedError } from '@stream-server/errors';
import type { Scope } from './scopes';

/**
 * The auth failures, with their public codes. The middleware reads the
 * code to pick the RFC 6750 `WWW-Authenticate` challenge.
 */
export const AUTH_CODES = {
  required: 'AUTH_REQUIRED',
  invalid: 'INVALID_TOKEN',
  expired: 'TOKEN_EXPIRED',
  scope: 'INSUFFICIENT_SCOPE',
} as const;

export function authRequired(): UnauthenticatedError {
  return new UnauthenticatedError(
    AUTH_CODES.required,
    'Authentication required: send "Authorization: Bearer <API key or JWT>".',
  );
}

export function invalidToken(reason: string): UnauthenticatedError {
  return new UnauthenticatedError(AUTH_CODES.invalid, `The bearer token is not accepted: ${reason}`);
}

export function tokenExpired(): UnauthenticatedError {
  return new UnauthenticatedError(AUTH_CODES.expired, 'The bearer token has expired.');
}

export function insufficientScope(scope: Scope): ForbiddenError {
  return new ForbiddenError(AUTH_CODES.scope, `This token lacks the "${scope}" scope.`);
}
