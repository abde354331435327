import type { RequestHandler, Response } from 'express';
import { DomainError } from '@stream-server/errors';
import { AUTH_CODES } from './auth-errors';
import type { Authenticator } from './authenticator';
import type { Scope } from './scopes';

/** `requireScope('jobs:read')`: a middleware admitting only callers holding that scope. */
export type RequireScope = (scope: Scope) => RequestHandler;

const REALM = 'stream-server';

/**
 * The thin Express side of the Authenticator: reads the header, stores
 * the principal in `res.locals.principal` (for logs, rate limits), and on
 * failure sets the RFC 6750 challenge before handing the error to the
 * error middleware, which answers 401/403 JSON. Without an authenticator,
 * or with auth off, every request passes untouched.
 */
export function createRequireScope(authenticator: Authenticator | undefined): RequireScope {
  return (scope) => async (req, res, next) => {
    if (!authenticator?.enabled) {
      next();
      return;
    }
    try {
      const principal = await authenticator.authenticate(req.get('authorization'));
      authenticator.authorize(principal, scope);
      res.locals['principal'] = principal;
    } catch (err) {
      setChallenge(res, err, scope);
      next(err);
      return;
    }
    next();
  };
}

function setChallenge(res: Response, err: unknown, scope: Scope): void {
  if (!(err instanceof DomainError)) return;
  switch (err.code) {
    case AUTH_CODES.required:
      res.setHeader('WWW-Authenticate', `Bearer realm="${REALM}"`);
      return;
    case AUTH_CODES.invalid:
      res.setHeader(
        'WWW-Authenticate',
        `Bearer realm="${REALM}", error="invalid_token", error_description="The token is invalid"`,
      );
      return;
    case AUTH_CODES.expired:
      res.setHeader(
        'WWW-Authenticate',
        `Bearer realm="${REALM}", error="invalid_token", error_description="The token has expired"`,
      );
      return;
    case AUTH_CODES.scope:
      res.setHeader('WWW-Authenticate', `Bearer realm="${REALM}", error="insufficient_scope", scope="${scope}"`);
      return;
  }
}
