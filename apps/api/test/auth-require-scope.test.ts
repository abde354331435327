import express, { type Express } from 'express';
import request from 'supertest';
import { SignJWT } from 'jose';
import { silentLogger } from '@stream-server/logger';
import { Authenticator, type AuthSettings } from '../src/auth/authenticator';
import { createRequireScope } from '../src/auth/require-scope';
import { errorHandler } from '../src/middleware/error-handler';

const API_KEY = 'key-0123456789abcdef-one';
const SECRET = 'hs256-secret-0123456789abcdef0123456789';

function settings(overrides: Partial<AuthSettings> = {}): AuthSettings {
  return {
    apiKeys: [],
    jwtSecret: undefined,
    jwtPublicKey: undefined,
    jwtAudience: 'stream-server',
    jwtIssuer: undefined,
    ...overrides,
  };
}

/** A tiny app: one guarded route answering with the principal it saw. */
function appWith(authenticator: Authenticator | undefined): Express {
  const app = express();
  const requireScope = createRequireScope(authenticator);
  app.post('/write', requireScope('transcode:write'), (_req, res) => {
    const principal: unknown = res.locals['principal'];
    res.json({ ok: true, authenticated: principal !== undefined });
  });
  app.use(errorHandler(silentLogger));
  return app;
}

function token(scope: string, expiresIn = 300): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope })
    .setProtectedHeader({ alg: 'HS256' })
    .setAudience('stream-server')
    .setExpirationTime(now + expiresIn)
    .sign(new TextEncoder().encode(SECRET));
}

describe('requireScope middleware', () => {
  const app = appWith(Authenticator.fromConfig(settings({ apiKeys: [API_KEY], jwtSecret: SECRET })));

  it('no credentials → 401 AUTH_REQUIRED with a Bearer challenge', async () => {
    const response = await request(app).post('/write');
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: expect.any(String), code: 'AUTH_REQUIRED' });
    expect(response.headers['www-authenticate']).toBe('Bearer realm="stream-server"');
  });

  it('a bad key → 401 INVALID_TOKEN with error="invalid_token"', async () => {
    const response = await request(app).post('/write').set('Authorization', 'Bearer not-the-key-0123456789');
    expect(response.status).toBe(401);
    expect(response.body).toHaveProperty('code', 'INVALID_TOKEN');
    expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="stream-server", error="invalid_token"/);
  });

  it('an expired JWT → 401 TOKEN_EXPIRED', async () => {
    const response = await request(app)
      .post('/write')
      .set('Authorization', `Bearer ${await token('transcode:write', -3600)}`);
    expect(response.status).toBe(401);
    expect(response.body).toHaveProperty('code', 'TOKEN_EXPIRED');
    expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('a JWT without the scope → 403 INSUFFICIENT_SCOPE naming the scope', async () => {
    const response = await request(app)
      .post('/write')
      .set('Authorization', `Bearer ${await token('jobs:read')}`);
    expect(response.status).toBe(403);
    expect(response.body).toEqual({ error: expect.any(String), code: 'INSUFFICIENT_SCOPE' });
    expect(response.headers['www-authenticate']).toBe(
      'Bearer realm="stream-server", error="insufficient_scope", scope="transcode:write"',
    );
  });

  it('a JWT with the scope, or an API key, passes and leaves the principal', async () => {
    for (const credential of [await token('jobs:read transcode:write'), API_KEY]) {
      const response = await request(app).post('/write').set('Authorization', `Bearer ${credential}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ ok: true, authenticated: true });
    }
  });

  it.each([
    ['no authenticator', undefined],
    ['an authenticator with no keys', Authenticator.fromConfig(settings())],
  ])('with %s everything passes, headers or not', async (_name, authenticator) => {
    const open = appWith(authenticator);
    const response = await request(open).post('/write');
    expect(response.status).toBe(200);
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect((await request(open).post('/write').set('Authorization', 'Bearer whatever')).status).toBe(200);
  });
});
