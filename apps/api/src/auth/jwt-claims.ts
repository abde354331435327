import { isScope, type Scope } from './scopes';

/**
 * Scopes from a verified JWT payload: OAuth's space-separated `scope`
 * string and/or a `scopes` array (some issuers use one, some the other).
 * Unknown scopes are ignored; malformed claims grant nothing.
 */
export function scopesFromClaims(payload: Readonly<Record<string, unknown>>): ReadonlySet<Scope> {
  const scopes = new Set<Scope>();
  for (const value of [...words(payload['scope']), ...words(payload['scopes'])]) {
    if (isScope(value)) scopes.add(value);
  }
  return scopes;
}

/** The token's `sub`, for logs; "jwt" when it has none. */
export function subjectFromClaims(payload: Readonly<Record<string, unknown>>): string {
  const sub = payload['sub'];
  return typeof sub === 'string' && sub !== '' ? `jwt:${sub}` : 'jwt';
}

function words(claim: unknown): readonly unknown[] {
  if (typeof claim === 'string') return claim.split(/\s+/).filter((word) => word !== '');
  if (Array.isArray(claim)) return claim.filter((item): item is string => typeof item === 'string');
  return [];
}
