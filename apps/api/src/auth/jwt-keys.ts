import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';

/**
 * Which JWT algorithms we accept and with which key. Each algorithm is
 * bound to exactly one key of the matching type, so a token cannot pick
 * its own verification (no "none"; no HS256 token "signed" with our public
 * key used as an HMAC secret).
 */
export interface JwtKeyring {
  readonly algorithms: readonly string[];
  keyFor(algorithm: string): KeyObject | undefined;
}

export interface JwtKeySettings {
  /** HS256 shared secret. */
  readonly secret: string | undefined;
  /** PEM SPKI public key: RSA (RS256) or EC P-256 (ES256). */
  readonly publicKeyPem: string | undefined;
}

/** Null when no JWT key is configured (then only API keys authenticate). */
export function buildJwtKeyring(settings: JwtKeySettings): JwtKeyring | null {
  const keys = new Map<string, KeyObject>();
  if (settings.secret !== undefined) keys.set('HS256', createSecretKey(Buffer.from(settings.secret, 'utf8')));
  if (settings.publicKeyPem !== undefined) {
    const key = createPublicKey({ key: settings.publicKeyPem, format: 'pem' });
    keys.set(asymmetricAlgorithm(key), key);
  }
  if (keys.size === 0) return null;
  return { algorithms: [...keys.keys()], keyFor: (algorithm) => keys.get(algorithm) };
}

/** The one algorithm a public key may verify; other key types are refused at start. */
function asymmetricAlgorithm(key: KeyObject): string {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error('JWT_PUBLIC_KEY must be an RSA (RS256) or EC P-256 (ES256) public key');
}
