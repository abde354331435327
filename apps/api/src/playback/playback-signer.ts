import { createHmac, timingSafeEqual } from 'node:crypto';
import { ForbiddenError } from '@stream-server/errors';

/** A token and when it stops working (Unix seconds). */
export interface PlaybackGrant {
  readonly token: string;
  readonly expiresAt: number;
}

/** `<expires>.<43 base64url chars of a SHA-256 HMAC>`; the expiry has room until year 33658. */
const TOKEN = /^([0-9]{1,12})\.([A-Za-z0-9_-]{43})$/;

/**
 * Signed playback URLs: players (hls.js, Safari) cannot add headers to
 * every segment request, so the permission travels in `?token=`.
 * A token is `<expires>.<base64url HMAC-SHA256(key, "<jobId>.<expires>")>`:
 * bound to one job, valid until `expires`, checkable without any storage.
 */
export class PlaybackSigner {
  constructor(
    private readonly key: string,
    private readonly ttlSeconds: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** A fresh grant for a job, valid for the configured lifetime. */
  issue(jobId: string): PlaybackGrant {
    const expiresAt = this.nowSeconds() + this.ttlSeconds;
    return { token: this.sign(jobId, expiresAt), expiresAt };
  }

  /** The token for a job and an expiry; any expiry, so tests can make stale ones. */
  sign(jobId: string, expiresAt: number): string {
    return `${expiresAt}.${this.mac(jobId, expiresAt)}`;
  }

  /**
   * The grant a request's `token` parameter carries for this job, or a
   * 403: required (absent), invalid (malformed, forged, another job's,
   * repeated) or expired. The signature is checked before the expiry, so
   * "expired" is only ever said of a token we issued.
   */
  verify(jobId: string, token: unknown): PlaybackGrant {
    if (token === undefined || token === '') {
      throw new ForbiddenError(
        'PLAYBACK_TOKEN_REQUIRED',
        'This playback URL needs its token: use the manifest_url of the job.',
      );
    }
    const match = typeof token === 'string' ? TOKEN.exec(token) : null;
    const expiresText = match?.[1];
    const mac = match?.[2];
    if (expiresText === undefined || mac === undefined) throw invalid();
    const expiresAt = Number(expiresText);
    const expected = Buffer.from(this.mac(jobId, expiresAt), 'ascii');
    if (!timingSafeEqual(expected, Buffer.from(mac, 'ascii'))) throw invalid();
    if (expiresAt <= this.nowSeconds()) {
      throw new ForbiddenError(
        'PLAYBACK_TOKEN_EXPIRED',
        'This playback token has expired: fetch the job again for a fresh manifest_url.',
      );
    }
    return { token: `${expiresText}.${mac}`, expiresAt };
  }

  /** Whole seconds until a grant expires (never negative). */
  secondsLeft(grant: PlaybackGrant): number {
    return Math.max(0, grant.expiresAt - this.nowSeconds());
  }

  private mac(jobId: string, expiresAt: number): string {
    return createHmac('sha256', this.key).update(`${jobId}.${expiresAt}`, 'utf8').digest('base64url');
  }

  private nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }
}

function invalid(): ForbiddenError {
  return new ForbiddenError('PLAYBACK_TOKEN_INVALID', 'This playback token is not valid for this job.');
}
