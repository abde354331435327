import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { DomainError, ForbiddenError, UnauthenticatedError } from '@stream-server/errors';
import { Authenticator, type AuthSettings } from '../src/auth/authenticator';
import { ApiKeySet } from '../src/auth/api-key-set';

const API_KEY = 'key-0123456789abcdef-one';
const SECRET = 'hs256-secret-0123456789abcdef0123456789';
const AUDIENCE = 'stream-server';
const ISSUER = 'https://issuer.example';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (key: KeyObject): string => key.export({ type: 'spki', format: 'pem' }).toString();

function settings(overrides: Partial<AuthSettings> = {}): AuthSettings {
  return {
    apiKeys: [],
    jwtSecret: undefined,
    jwtPublicKey: undefined,
    jwtAudience: AUDIENCE,
    jwtIssuer: undefined,
    ...overrides,
  };
}

const hs = Authenticator.fromConfig(settings({ apiKeys: [API_KEY], jwtSecret: SECRET }));
const rs = Authenticator.fromConfig(settings({ jwtPublicKey: pem(rsa.publicKey) }));
const es = Authenticator.fromConfig(settings({ jwtPublicKey: pem(ec.publicKey) }));

interface TokenOptions {
  readonly alg?: string;
  readonly aud?: string;
  readonly iss?: string;
  /** Seconds from now; null: no exp claim. */
  readonly expiresIn?: number | null;
}

function jwt(claims: JWTPayload, key: KeyObject | Uint8Array, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  let builder = new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .setIssuedAt(now)
    .setAudience(options.aud ?? AUDIENCE);
  if (options.iss !== undefined) builder = builder.setIssuer(options.iss);
  const expiresIn = options.expiresIn === undefined ? 300 : options.expiresIn;
  if (expiresIn !== null) builder = builder.setExpirationTime(now + expiresIn);
  return builder.sign(key);
}

const secretBytes = new TextEncoder().encode(SECRET);
const bearer = (token: string): string => `Bearer ${token}`;

async function rejection(promise: Promise<unknown>): Promise<{ kind: string; code: string }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DomainError) return { kind: err.kind, code: err.code };
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('Authenticator: off', () => {
  const open = Authenticator.fromConfig(settings());

  it('is disabled with no API key and no JWT key, and admits anyone with every scope', async () => {
    expect(open.enabled).toBe(false);
    const principal = await open.authenticate(undefined);
    expect(principal.method).toBe('none');
    expect([...principal.scopes].sort()).toEqual(['admin', 'jobs:read', 'transcode:write']);
  });
});

describe('Authenticator: bearer header and API keys', () => {
  const keysOnly = Authenticator.fromConfig(settings({ apiKeys: ['another-key-0123456789', API_KEY] }));

  it('an API key grants every scope', async () => {
    const principal = await keysOnly.authenticate(bearer(API_KEY));
    expect(principal.method).toBe('api-key');
    expect(principal.subject).toMatch(/^api-key:[0-9a-f]{12}$/);
    expect(principal.subject).not.toContain(API_KEY);
    expect([...principal.scopes].sort()).toEqual(['admin', 'jobs:read', 'transcode:write']);
  });

  it('accepts the scheme in any case', async () => {
    await expect(keysOnly.authenticate(`bearer ${API_KEY}`)).resolves.toMatchObject({ method: 'api-key' });
  });

  it.each<[string, string | undefined]>([
    ['no header', undefined],
    ['an empty header', ''],
    ['another scheme', `Basic ${API_KEY}`],
    ['"Bearer" alone', 'Bearer '],
  ])('%s → 401 AUTH_REQUIRED', async (_name, header) => {
    expect(await rejection(keysOnly.authenticate(header))).toEqual({ kind: 'unauthenticated', code: 'AUTH_REQUIRED' });
  });

  it.each([
    ['a wrong key', 'key-0123456789abcdef-two'],
    ['a prefix of a key', API_KEY.slice(0, -1)],
    ['a key plus more', `${API_KEY}x`],
  ])('%s → 401 INVALID_TOKEN', async (_name, token) => {
    expect(await rejection(keysOnly.authenticate(bearer(token)))).toEqual({
      kind: 'unauthenticated',
      code: 'INVALID_TOKEN',
    });
  });

  it('a very long token → 401 INVALID_TOKEN', async () => {
    expect(await rejection(keysOnly.authenticate(bearer('x'.repeat(10_000))))).toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('ApiKeySet tells matching keys apart without revealing them', () => {
    const set = new ApiKeySet(['first-key-0123456789', 'second-key-0123456789']);
    const first = set.match('first-key-0123456789');
    const second = set.match('second-key-0123456789');
    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    expect(first).not.toEqual(second);
    expect(set.match('third-key-0123456789')).toBeNull();
  });
});

describe('Authenticator: JWT', () => {
  it('HS256 with the scope claim as an OAuth string', async () => {
    const principal = await hs.authenticate(
      bearer(await jwt({ sub: 'alice', scope: 'jobs:read transcode:write' }, secretBytes)),
    );
    expect(principal).toEqual({
      subject: 'jwt:alice',
      method: 'jwt',
      scopes: new Set(['jobs:read', 'transcode:write']),
    });
  });

  it('HS256 with a scopes array; unknown scopes and non-strings are ignored', async () => {
    const token = await jwt({ scopes: ['jobs:read', 'billing:write', 42] }, secretBytes);
    const principal = await hs.authenticate(bearer(token));
    expect(principal.subject).toBe('jwt');
    expect([...principal.scopes]).toEqual(['jobs:read']);
  });

  it('RS256 with the configured RSA public key', async () => {
    const token = await jwt({ sub: 'svc', scope: 'admin' }, rsa.privateKey, { alg: 'RS256' });
    await expect(rs.authenticate(bearer(token))).resolves.toEqual({
      subject: 'jwt:svc',
      method: 'jwt',
      scopes: new Set(['admin']),
    });
  });

  it('ES256 with the configured P-256 public key', async () => {
    const token = await jwt({ scope: 'jobs:read' }, ec.privateKey, { alg: 'ES256' });
    await expect(es.authenticate(bearer(token))).resolves.toMatchObject({
      method: 'jwt',
      scopes: new Set(['jobs:read']),
    });
  });

  it('an expired token → 401 TOKEN_EXPIRED', async () => {
    const token = await jwt({ scope: 'jobs:read' }, secretBytes, { expiresIn: -3600 });
    expect(await rejection(hs.authenticate(bearer(token)))).toEqual({ kind: 'unauthenticated', code: 'TOKEN_EXPIRED' });
  });

  it.each<[string, () => Promise<string>, Authenticator]>([
    ['no exp claim', () => jwt({ scope: 'jobs:read' }, secretBytes, { expiresIn: null }), hs],
    ['a wrong audience', () => jwt({ scope: 'jobs:read' }, secretBytes, { aud: 'someone-else' }), hs],
    ['a wrong HMAC secret', () => jwt({ scope: 'jobs:read' }, new TextEncoder().encode(`${SECRET}-other`)), hs],
    ['an RS256 token signed by another key', () => jwt({ scope: 'admin' }, otherRsa.privateKey, { alg: 'RS256' }), rs],
    [
      'an RS256 token where only HS256 is configured',
      () => jwt({ scope: 'admin' }, rsa.privateKey, { alg: 'RS256' }),
      hs,
    ],
    ['an ES256 token where the key is RSA', () => jwt({ scope: 'admin' }, ec.privateKey, { alg: 'ES256' }), rs],
    [
      'an HS256 token "signed" with the RSA public key as secret',
      () => jwt({ scope: 'admin' }, new TextEncoder().encode(pem(rsa.publicKey))),
      rs,
    ],
    ['an HS512 token', () => jwt({ scope: 'admin' }, secretBytes, { alg: 'HS512' }), hs],
  ])('%s → 401 INVALID_TOKEN', async (_name, makeToken, authenticator) => {
    expect(await rejection(authenticator.authenticate(bearer(await makeToken())))).toEqual({
      kind: 'unauthenticated',
      code: 'INVALID_TOKEN',
    });
  });

  it('alg "none" → 401 INVALID_TOKEN', async () => {
    const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const exp = Math.floor(Date.now() / 1000) + 300;
    const unsigned = `${part({ alg: 'none', typ: 'JWT' })}.${part({ aud: AUDIENCE, exp, scope: 'admin' })}.`;
    for (const authenticator of [hs, rs]) {
      expect(await rejection(authenticator.authenticate(bearer(unsigned)))).toMatchObject({ code: 'INVALID_TOKEN' });
    }
  });

  it('an HS256 token signed with the public key is refused even when an HMAC secret is configured too', async () => {
    const both = Authenticator.fromConfig(settings({ jwtSecret: SECRET, jwtPublicKey: pem(rsa.publicKey) }));
    const forged = await jwt({ scope: 'admin' }, new TextEncoder().encode(pem(rsa.publicKey)));
    expect(await rejection(both.authenticate(bearer(forged)))).toMatchObject({ code: 'INVALID_TOKEN' });
    // …while both genuine kinds pass.
    await expect(both.authenticate(bearer(await jwt({ scope: 'admin' }, secretBytes)))).resolves.toMatchObject({
      method: 'jwt',
    });
    await expect(
      both.authenticate(bearer(await jwt({ scope: 'admin' }, rsa.privateKey, { alg: 'RS256' }))),
    ).resolves.toMatchObject({ method: 'jwt' });
  });

  it('a tampered payload → 401 INVALID_TOKEN', async () => {
    const [header, , signature] = (await jwt({ scope: 'jobs:read' }, secretBytes)).split('.');
    const exp = Math.floor(Date.now() / 1000) + 300;
    const payload = Buffer.from(JSON.stringify({ aud: AUDIENCE, exp, scope: 'admin' })).toString('base64url');
    expect(await rejection(hs.authenticate(bearer(`${header}.${payload}.${signature}`)))).toMatchObject({
      code: 'INVALID_TOKEN',
    });
  });

  it('garbage that is neither a key nor a JWT → 401 INVALID_TOKEN', async () => {
    expect(await rejection(hs.authenticate(bearer('not-a-jwt')))).toMatchObject({ code: 'INVALID_TOKEN' });
  });

  describe('with an issuer configured', () => {
    const withIssuer = Authenticator.fromConfig(settings({ jwtSecret: SECRET, jwtIssuer: ISSUER }));

    it('accepts its tokens', async () => {
      const token = await jwt({ scope: 'jobs:read' }, secretBytes, { iss: ISSUER });
      await expect(withIssuer.authenticate(bearer(token))).resolves.toMatchObject({ method: 'jwt' });
    });

    it.each<[string, string | undefined]>([
      ['a wrong issuer', 'https://evil.example'],
      ['no issuer', undefined],
    ])('%s → 401 INVALID_TOKEN', async (_name, iss) => {
      const token = await jwt({ scope: 'jobs:read' }, secretBytes, iss === undefined ? {} : { iss });
      expect(await rejection(withIssuer.authenticate(bearer(token)))).toMatchObject({ code: 'INVALID_TOKEN' });
    });
  });

  it('tolerates small clock skew but not more', async () => {
    const skewed = Authenticator.fromConfig(settings({ jwtSecret: SECRET }), { clockToleranceSeconds: 30 });
    await expect(
      skewed.authenticate(bearer(await jwt({ scope: 'jobs:read' }, secretBytes, { expiresIn: -10 }))),
    ).resolves.toMatchObject({
      method: 'jwt',
    });
    expect(await rejection(skewed.authenticate(bearer(await jwt({}, secretBytes, { expiresIn: -60 }))))).toMatchObject({
      code: 'TOKEN_EXPIRED',
    });
  });
});

describe('Authenticator.authorize', () => {
  it('passes with the scope, 403 INSUFFICIENT_SCOPE without it', async () => {
    const principal = await hs.authenticate(bearer(await jwt({ scope: 'jobs:read' }, secretBytes)));
    expect(() => hs.authorize(principal, 'jobs:read')).not.toThrow();
    expect(() => hs.authorize(principal, 'transcode:write')).toThrow(ForbiddenError);
    let thrown: unknown;
    try {
      hs.authorize(principal, 'admin');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ForbiddenError);
    expect(thrown).toMatchObject({ kind: 'forbidden', code: 'INSUFFICIENT_SCOPE' });
  });

  it('a token with no scope claim holds nothing', async () => {
    const principal = await hs.authenticate(bearer(await jwt({ sub: 'nobody' }, secretBytes)));
    expect(principal.scopes.size).toBe(0);
    expect(() => hs.authorize(principal, 'jobs:read')).toThrow(ForbiddenError);
  });

  it('errors are UnauthenticatedError / ForbiddenError, mapped by kind', async () => {
    await expect(hs.authenticate(undefined)).rejects.toBeInstanceOf(UnauthenticatedError);
  });
});

describe('Authenticator.fromConfig', () => {
  it('refuses a public key that is neither RSA nor P-256', () => {
    const ed = generateKeyPairSync('ed25519');
    expect(() => Authenticator.fromConfig(settings({ jwtPublicKey: pem(ed.publicKey) }))).toThrow(/RSA .* P-256/);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(() => Authenticator.fromConfig(settings({ jwtPublicKey: pem(p384.publicKey) }))).toThrow(/RSA .* P-256/);
  });

  it('is enabled by API keys alone or by a JWT key alone', () => {
    expect(Authenticator.fromConfig(settings({ apiKeys: [API_KEY] })).enabled).toBe(true);
    expect(rs.enabled).toBe(true);
  });
});
