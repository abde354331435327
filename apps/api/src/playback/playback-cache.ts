/** Longest a signed playlist may be cached: as long as an unsigned one. */
export const SIGNED_PLAYLIST_MAX_AGE = 60;

/**
 * Cache-Control for a response whose URL holds an expiring token: private
 * (a shared cache must not serve it to another user), and never past the
 * token's expiry, nor past `cap` seconds when given.
 */
export function signedCacheControl(secondsLeft: number, cap?: number): string {
  const maxAge = Math.max(0, Math.floor(cap === undefined ? secondsLeft : Math.min(cap, secondsLeft)));
  return maxAge === 0 ? 'no-store' : `private, max-age=${maxAge}`;
}
