import { TokenService } from '../../../src/modules/auth/tokens/token.service';
import { userRefreshClaims } from '../../../src/modules/auth/tokens/user-claims';
import { createTestUser } from '../../support/auth-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';
import { createPasswordUser, FAST_AUTH_ENV, loginAs, type PasswordUser } from './auth-e2e-helpers';

const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Version/17.4 Mobile/15E148 Safari/604.1';

describe('refresh, logout and session management', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        ...FAST_AUTH_ENV,
        TRUSTED_PROXIES: '127.0.0.1',
        AUTH_REFRESH_REUSE_GRACE_SECONDS: '30',
      },
    });
  });

  afterAll(async () => {
    await t.close();
  });

  const loginUser = async (user: PasswordUser, userAgent = CHROME_MAC, ip = '198.51.100.20') =>
    (await loginAs(t, { email: user.email, password: user.password }, ip, userAgent).expect(200))
      .body as Record<string, string>;
  const refresh = (token: string) =>
    t.http.post('/api/v1/auth/refresh').send({ refresh_token: token });
  const me = (access: string) =>
    t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${access}`);

  describe('POST /refresh', () => {
    it('rejects tampered, wrong-type, expired, unknown and empty tokens', async () => {
      const user = await createPasswordUser(t);
      const pair = await loginUser(user);
      const [h, p, s] = pair.refresh_token.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, tenant_id: 'x' })).toString('base64url')}.${s}`;
      const tampered = await refresh(forged).expect(401);
      expect(tampered.body).toMatchObject({
        message: 'Refresh token verification failed.',
        details: null,
      });
      expect(tampered.headers['www-authenticate']).toBeUndefined();

      const wrongType = await refresh(pair.access_token).expect(401);
      expect(wrongType.body.message).toBe('Token is not a refresh token.');

      const tokens = t.app.get(TokenService);
      const subject = {
        userId: user.userId,
        tenantId: user.tenantId,
        role: 'owner',
        emailVerified: true,
        sessionId: pair.session_id,
      };
      const expired = await tokens.sign(userRefreshClaims(subject), -5);
      expect((await refresh(expired.token).expect(401)).body.message).toBe(
        'Refresh token verification failed.',
      );
      const unknown = await tokens.sign(userRefreshClaims(subject), 600);
      expect((await refresh(unknown.token).expect(401)).body.message).toBe(
        'Refresh token has been revoked or expired.',
      );
      const noTenant = await tokens.sign({ ...userRefreshClaims(subject), tenant_id: '' }, 600);
      expect((await refresh(noTenant.token).expect(401)).body.message).toBe(
        'Refresh token missing tenant identifier.',
      );
      const badSubject = await tokens.sign(
        { ...userRefreshClaims(subject), sub: 'service-account:x' },
        600,
      );
      expect((await refresh(badSubject.token).expect(401)).body.message).toBe(
        'Refresh token subject is malformed.',
      );
      await refresh('').expect(422);
      await t.http.post('/api/v1/auth/refresh').send({}).expect(422);
      // The original token still works: none of the failures touched it.
      await refresh(pair.refresh_token).expect(200);
    });

    it('rotates exactly once under concurrent presentations; the rest get the grace pair', async () => {
      const user = await createPasswordUser(t);
      const pair = await loginUser(user);
      const results = await Promise.all(
        Array.from({ length: 5 }, () => refresh(pair.refresh_token)),
      );
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      for (const r of results) expect(r.body.session_id).toBe(pair.session_id);
      const jti = JSON.parse(
        Buffer.from(pair.refresh_token.split('.')[1], 'base64url').toString(),
      ).jti;
      const [row] = await t.dataSource.query(
        'SELECT revoked_reason FROM service_account_tokens WHERE refresh_jti = $1',
        [jti],
      );
      expect(row.revoked_reason).toBe('rotated');
      const [{ active }] = await t.dataSource.query(
        'SELECT count(*)::int AS active FROM service_account_tokens WHERE session_id = $1 AND revoked_at IS NULL',
        [pair.session_id],
      );
      expect(active).toBe(5);
      const text = (await t.http.get('/metrics').expect(200)).text;
      expect(text).toMatch(/auth_refresh_issued_total\{result="rotated"\} [1-9]/);
      expect(text).toMatch(/auth_refresh_issued_total\{result="grace"\} [1-9]/);
    });

    it('recomputes role and status from the database, revoking the presented token first', async () => {
      const user = await createPasswordUser(t);
      const pair = await loginUser(user);
      await t.dataSource.query(
        "UPDATE tenant_user_memberships SET role = 'member' WHERE user_id = $1",
        [user.userId],
      );
      const downgraded = await refresh(pair.refresh_token).expect(200);
      expect(downgraded.body.scopes).toEqual([
        'conversations:read',
        'conversations:write',
        'tools:read',
        'members:read',
      ]);

      await t.dataSource.query("UPDATE users SET status = 'disabled' WHERE id = $1", [user.userId]);
      const disabled = await refresh(downgraded.body.refresh_token).expect(403);
      expect(disabled.body.message).toBe('User is disabled.');
      const jti = JSON.parse(
        Buffer.from(downgraded.body.refresh_token.split('.')[1], 'base64url').toString(),
      ).jti;
      const [row] = await t.dataSource.query(
        'SELECT revoked_reason FROM service_account_tokens WHERE refresh_jti = $1',
        [jti],
      );
      expect(row.revoked_reason).toBe('rotated');
    });
  });

  describe('access tokens', () => {
    it('rejects tampered, expired and refresh tokens with 401 and WWW-Authenticate: Bearer', async () => {
      const user = await createPasswordUser(t);
      const pair = await loginUser(user);
      const [h, p, s] = pair.access_token.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, roles: ['owner'], scope: 'support:*' })).toString('base64url')}.${s}`;
      const expired = await t.app.get(TokenService).sign({ ...claims, jti: 'x' }, -1);
      const rejected: [string, string][] = [
        [forged, 'Could not validate credentials'],
        [expired.token, 'Could not validate credentials'],
        // A real refresh token has no `aud`: it fails the audience check before `token_use`.
        [pair.refresh_token, 'Could not validate credentials'],
        ['not.a.jwt', 'Could not validate credentials'],
      ];
      for (const [token, message] of rejected) {
        const response = await me(token).expect(401);
        expect(response.headers['www-authenticate']).toBe('Bearer');
        expect(response.body).toMatchObject({ message, details: { 'WWW-Authenticate': 'Bearer' } });
      }
      await me(pair.access_token).expect(200);
    });
  });

  describe('POST /logout', () => {
    it('checks the refresh token and its owner', async () => {
      const alice = await createPasswordUser(t);
      const bob = await createPasswordUser(t);
      const a = await loginUser(alice);
      const b = await loginUser(bob);
      const logout = (access: string, refreshToken: unknown) =>
        t.http
          .post('/api/v1/auth/logout')
          .set('Authorization', `Bearer ${access}`)
          .send({ refresh_token: refreshToken });

      expect((await logout(a.access_token, b.refresh_token).expect(403)).body.message).toBe(
        'Refresh token does not belong to the authenticated user.',
      );
      expect((await logout(a.access_token, a.access_token).expect(403)).body.message).toBe(
        'Token is not a refresh token.',
      );
      expect((await logout(a.access_token, 'garbage').expect(403)).body.message).toBe(
        'Refresh token verification failed.',
      );
      await logout(a.access_token, '').expect(422);
      await t.http.post('/api/v1/auth/logout').send({ refresh_token: a.refresh_token }).expect(401);

      // An expired refresh token is still accepted for logout; its row is inactive by then.
      const expired = await t.app.get(TokenService).sign(
        userRefreshClaims({
          userId: alice.userId,
          tenantId: alice.tenantId,
          role: 'owner',
          emailVerified: true,
          sessionId: a.session_id,
        }),
        -60,
      );
      await logout(a.access_token, expired.token).expect(200, {
        success: true,
        message: 'Session already inactive.',
        data: { revoked: false },
      });
      await me(b.access_token).expect(200);
    });

    it('logout/all with nothing left says so', async () => {
      const user = await createTestUser(t);
      await t.http
        .post('/api/v1/auth/logout/all')
        .set('Authorization', user.authorization)
        .expect(200, {
          success: true,
          message: 'No active sessions to revoke.',
          data: { revoked: 0 },
        });
    });
  });

  describe('GET and DELETE /sessions', () => {
    it('lists the caller sessions, newest first, with the current one flagged', async () => {
      const user = await createPasswordUser(t);
      const other = await createPasswordUser(t);
      await loginUser(other);
      const first = await loginUser(user, SAFARI_IPHONE, '198.51.100.7');
      const second = await loginUser(user, CHROME_MAC, '2001:db8::42');
      const list = await t.http
        .get('/api/v1/auth/sessions')
        .set('Authorization', `Bearer ${second.access_token}`)
        .expect(200);
      expect(list.body).toMatchObject({ total: 2, limit: 20, offset: 0 });
      expect(list.body.sessions.map((s: { id: string }) => s.id)).toEqual([
        second.session_id,
        first.session_id,
      ]);
      expect(list.body.sessions[0]).toMatchObject({
        tenant_id: user.tenantId,
        current: true,
        revoked_at: null,
        ip_address_masked: '2001:0db8:0000:0000:*:*:*:*',
        client: { platform: 'macOS', browser: 'Chrome', device: 'desktop', user_agent: CHROME_MAC },
        location: null,
      });
      expect(list.body.sessions[0].fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(list.body.sessions[1]).toMatchObject({
        current: false,
        ip_address_masked: '198.51.100.*',
        client: { platform: 'iOS', browser: 'Safari', device: 'mobile' },
      });
      expect(list.body.sessions[0].created_at).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);

      const paged = await t.http
        .get('/api/v1/auth/sessions?limit=1&offset=1')
        .set('Authorization', `Bearer ${second.access_token}`)
        .expect(200);
      expect(paged.body).toMatchObject({ total: 2, limit: 1, offset: 1 });
      expect(paged.body.sessions.map((s: { id: string }) => s.id)).toEqual([first.session_id]);

      const filtered = await t.http
        .get(`/api/v1/auth/sessions?tenant_id=${other.tenantId}`)
        .set('Authorization', `Bearer ${second.access_token}`)
        .expect(200);
      expect(filtered.body.total).toBe(0);

      for (const query of [
        'limit=0',
        'limit=101',
        'offset=-1',
        'tenant_id=nope',
        'include_revoked=maybe',
      ]) {
        await t.http
          .get(`/api/v1/auth/sessions?${query}`)
          .set('Authorization', `Bearer ${second.access_token}`)
          .expect(422);
      }
    });

    it('revokes one of the caller sessions; others behave as not found', async () => {
      const user = await createPasswordUser(t);
      const stranger = await createPasswordUser(t);
      const keep = await loginUser(user);
      const drop = await loginUser(user);
      const foreign = await loginUser(stranger);
      const del = (id: string) =>
        t.http
          .delete(`/api/v1/auth/sessions/${id}`)
          .set('Authorization', `Bearer ${keep.access_token}`);

      const notMine = await del(foreign.session_id).expect(404);
      expect(notMine.body.message).toBe('Session not found or already revoked.');
      await me(foreign.access_token).expect(200);

      await del(drop.session_id).expect(200, {
        success: true,
        message: 'Session revoked successfully.',
        data: { revoked: true },
      });
      await me(drop.access_token).expect(401);
      await refresh(drop.refresh_token).expect(401);
      await del(drop.session_id).expect(404);
      await del('not-a-uuid').expect(422);
      const [row] = await t.dataSource.query(
        'SELECT revoked_reason FROM user_sessions WHERE id = $1',
        [drop.session_id],
      );
      expect(row.revoked_reason).toBe('user_session_manual_revoke');

      const all = await t.http
        .get('/api/v1/auth/sessions?include_revoked=true')
        .set('Authorization', `Bearer ${keep.access_token}`)
        .expect(200);
      expect(all.body.total).toBe(2);
      const revoked = all.body.sessions.find((s: { id: string }) => s.id === drop.session_id);
      expect(revoked.revoked_at).not.toBeNull();
      await me(keep.access_token).expect(200);
    });
  });
});
