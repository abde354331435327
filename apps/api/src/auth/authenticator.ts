import type { Config } from '@stream-server/config';
import { authRequired, insufficientScope, invalidToken } from './auth-errors';
import { ApiKeySet } from './api-key-set';
import { buildJwtKeyring } from './jwt-keys';
import { JwtVerifier, type JwtSettings } from './jwt-verifier';
import { SCOPES, type Scope } from './scopes';

/** Who made a request and what they may do. */
export interface Principal {
  /** Non-secret id: `api-key:<digest prefix>`, `jwt:<sub>`, or `anonymous` with auth off. */
  readonly subject: string;
  readonly method: 'api-key' | 'jwt' | 'none';
  readonly scopes: ReadonlySet<Scope>;
}

export type AuthSettings = Pick<Config, 'apiKeys' | 'jwtSecret' | 'jwtPublicKey' | 'jwtAudience' | 'jwtIssuer'>;

const ALL_SCOPES: ReadonlySet<Scope> = new Set(SCOPES);
const ANONYMOUS: Principal = { subject: 'anonymous', method: 'none', scopes: ALL_SCOPES };
/** Far above any real JWT; refuses absurd headers before any parsing. */
const MAX_TOKEN_LENGTH = 8 * 1024;
const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/**
 * Turns an `Authorization` header into a Principal, knowing nothing of
 * HTTP frameworks. With no API key and no JWT key configured, auth is off
 * and everyone is an anonymous principal holding every scope (the laptop
 * setup, open as before).
 */
export class Authenticator {
  constructor(
    private readonly apiKeys: ApiKeySet,
    private readonly jwt: JwtVerifier | null,
  ) {}

  static fromConfig(
    config: AuthSettings,
    jwtOptions: Pick<JwtSettings, 'now' | 'clockToleranceSeconds'> = {},
  ): Authenticator {
    const keyring = buildJwtKeyring({ secret: config.jwtSecret, publicKeyPem: config.jwtPublicKey });
    const jwt = keyring
      ? new JwtVerifier(keyring, { audience: config.jwtAudience, issuer: config.jwtIssuer, ...jwtOptions })
      : null;
    return new Authenticator(new ApiKeySet(config.apiKeys), jwt);
  }

  get enabled(): boolean {
    return this.apiKeys.size > 0 || this.jwt !== null;
  }

  /** Resolves the caller, or rejects with an UnauthenticatedError (401). */
  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (!this.enabled) return ANONYMOUS;
    const token = bearerToken(authorization);
    if (token === null) throw authRequired();
    if (token.length > MAX_TOKEN_LENGTH) throw invalidToken('it is too long.');
    const keyId = this.apiKeys.match(token);
    if (keyId !== null) return { subject: keyId, method: 'api-key', scopes: ALL_SCOPES };
    if (this.jwt === null) throw invalidToken('it is not a known API key.');
    const identity = await this.jwt.verify(token);
    return { subject: identity.subject, method: 'jwt', scopes: identity.scopes };
  }

  /** Throws a ForbiddenError (403) unless the principal holds the scope. */
  authorize(principal: Principal, scope: Scope): void {
    if (!principal.scopes.has(scope)) throw insufficientScope(scope);
  }
}

/** The token of `Bearer <token>` (scheme case-insensitive, RFC 7235), or null. */
function bearerToken(authorization: string | undefined): string | null {
  if (authorization === undefined) return null;
  const match = BEARER.exec(authorization);
  return match?.[1] ?? null;
}
