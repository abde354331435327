import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The configured API keys, kept only as SHA-256 digests. Hashing both
 * sides gives equal-length buffers, so `timingSafeEqual` applies whatever
 * the caller sent, and the comparison time says nothing about how much of
 * a key was guessed. Every key is compared, even after a match, so the
 * time does not tell which key matched either.
 */
export class ApiKeySet {
  private readonly digests: readonly Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(sha256);
  }

  get size(): number {
    return this.digests.length;
  }

  /** A stable, non-secret id of the matching key (for logs and limits), or null. */
  match(candidate: string): string | null {
    const digest = sha256(candidate);
    let found: string | null = null;
    for (const known of this.digests) {
      if (timingSafeEqual(known, digest) && found === null) found = `api-key:${known.toString('hex').slice(0, 12)}`;
    }
    return found;
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
