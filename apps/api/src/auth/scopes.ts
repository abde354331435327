/**
 * What a credential may do. API keys hold every scope; a JWT holds the
 * ones its `scope` / `scopes` claim names. `admin` implies nothing else:
 * a token is given exactly the rights it lists.
 */
export const SCOPES = ['transcode:write', 'jobs:read', 'admin'] as const;

export type Scope = (typeof SCOPES)[number];

const KNOWN: ReadonlySet<string> = new Set(SCOPES);

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && KNOWN.has(value);
}
