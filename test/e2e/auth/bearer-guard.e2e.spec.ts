import { createLocalJWKSet, jwtVerify } from 'jose';
import { SessionStateService } from '../../../src/modules/auth/sessions/session-state.service';
import { createTestUser, signAccessToken } from '../../support/auth-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

describe('bearer guard (decisions P3, A3)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('accepts a valid access token and returns its claims on /auth/me', async () => {
    const user = await createTestUser(t);
    const response = await t.http
      .get('/api/v1/auth/me')
      .set('Authorization', user.authorization)
      .expect(200);
    expect(response.body).toMatchObject({
      success: true,
      message: 'User information retrieved successfully',
      data: {
        user_id: user.userId,
        token_payload: {
          sub: `user:${user.userId}`,
          tenant_id: user.tenantId,
          sid: user.sessionId,
        },
      },
    });
  });

  it('answers a missing Authorization header with 401 and WWW-Authenticate: Bearer', async () => {
    const response = await t.http.get('/api/v1/auth/me').expect(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.body).toMatchObject({ error: 'Not authenticated', code: 'not_authenticated' });
  });

  it('answers a non-Bearer scheme with 401 "Invalid authentication credentials"', async () => {
    const response = await t.http
      .get('/api/v1/auth/me')
      .set('Authorization', 'Basic abc')
      .expect(401);
    expect(response.body.message).toBe('Invalid authentication credentials');
  });

  it('rejects a tampered token', async () => {
    const user = await createTestUser(t);
    const [header, payload, signature] = user.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(
      JSON.stringify({ ...claims, roles: ['owner'], tenant_id: 'x' }),
    ).toString('base64url');
    const response = await t.http
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${header}.${forged}.${signature}`)
      .expect(401);
    expect(response.body).toMatchObject({
      error: 'Could not validate credentials',
      details: { 'WWW-Authenticate': 'Bearer' },
    });
  });

  it('rejects an expired token', async () => {
    const user = await createTestUser(t);
    const token = await signAccessToken(t, { ...user, emailVerified: true, lifetimeSeconds: -10 });
    await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`).expect(401);
  });

  it('rejects a refresh token presented as a bearer token', async () => {
    const user = await createTestUser(t);
    const token = await signAccessToken(t, {
      ...user,
      emailVerified: true,
      extraClaims: { token_use: 'refresh' },
    });
    const response = await t.http
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${token}`)
      .expect(401);
    expect(response.body.message).toBe('Access token required.');
  });

  it('rejects the access token of a revoked session at once', async () => {
    const user = await createTestUser(t);
    await t.http.get('/api/v1/auth/me').set('Authorization', user.authorization).expect(200);
    await t.dataSource.query('UPDATE user_sessions SET revoked_at = now() WHERE id = $1', [
      user.sessionId,
    ]);
    await t.app.get(SessionStateService).markRevoked([user.sessionId], 'test');
    const response = await t.http
      .get('/api/v1/auth/me')
      .set('Authorization', user.authorization)
      .expect(401);
    expect(response.body.code).toBe('session_revoked');
  });

  it('serves a JWKS that verifies issued tokens with jose, with ETag and 304', async () => {
    const user = await createTestUser(t);
    const first = await t.http.get('/.well-known/jwks.json').expect(200);
    expect(first.headers['cache-control']).toBe('public, max-age=300');
    const { payload } = await jwtVerify(user.accessToken, createLocalJWKSet(first.body), {
      issuer: 'anything-agents',
    });
    expect(payload.sub).toBe(`user:${user.userId}`);
    await t.http.get('/.well-known/jwks.json').set('If-None-Match', first.headers.etag).expect(304);
  });
});
