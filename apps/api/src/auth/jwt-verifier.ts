import { errors, jwtVerify, type JWTHeaderParameters, type KeyLike } from 'jose';
import type { UnauthenticatedError } from '@stream-server/errors';
import { invalidToken, tokenExpired } from './auth-errors';
import { scopesFromClaims, subjectFromClaims } from './jwt-claims';
import type { JwtKeyring } from './jwt-keys';
import type { Scope } from './scopes';

export interface JwtSettings {
  readonly audience: string;
  readonly issuer: string | undefined;
  /** Clock skew allowed between the issuer and us on exp/nbf. */
  readonly clockToleranceSeconds?: number;
  /** For tests; defaults to the system clock. */
  readonly now?: () => Date;
}

export interface JwtIdentity {
  readonly subject: string;
  readonly scopes: ReadonlySet<Scope>;
}

/**
 * Verifies a JWT against the keyring: signature with the key bound to the
 * token's (allowed) algorithm, then `exp` (required), `nbf`, `aud` and
 * `iss`. Every failure is an UnauthenticatedError; the caller sees why in
 * general terms but never a stack or a key detail.
 */
export class JwtVerifier {
  constructor(
    private readonly keyring: JwtKeyring,
    private readonly settings: JwtSettings,
  ) {}

  async verify(token: string): Promise<JwtIdentity> {
    try {
      const { payload } = await jwtVerify(token, (header: JWTHeaderParameters) => this.keyFor(header), {
        algorithms: [...this.keyring.algorithms],
        audience: this.settings.audience,
        issuer: this.settings.issuer,
        requiredClaims: ['exp'],
        clockTolerance: this.settings.clockToleranceSeconds ?? 30,
        currentDate: this.settings.now?.(),
      });
      return { subject: subjectFromClaims(payload), scopes: scopesFromClaims(payload) };
    } catch (err) {
      throw toAuthError(err);
    }
  }

  private keyFor(header: JWTHeaderParameters): KeyLike {
    const key = this.keyring.keyFor(header.alg);
    // jose checks `algorithms` first; this only guards a keyring mismatch.
    if (!key) throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
    return key;
  }
}

function toAuthError(err: unknown): UnauthenticatedError {
  if (err instanceof errors.JWTExpired) return tokenExpired();
  if (err instanceof errors.JWTClaimValidationFailed)
    return invalidToken(`its "${err.claim}" claim is missing or not accepted.`);
  if (err instanceof errors.JOSEAlgNotAllowed) return invalidToken('its signing algorithm is not accepted.');
  if (err instanceof errors.JWSSignatureVerificationFailed) return invalidToken('its signature does not verify.');
  return invalidToken('it is neither an API key nor a well-formed JWT.');
}
