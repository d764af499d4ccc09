import { createLocalJWKSet, jwtVerify } from 'jose';
import { extractToken, startSmtpFake, type SmtpFake } from '../../support/fakes';
import { uniqueEmail } from '../../support/auth-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

const GRACE_SECONDS = 1;
const PASSWORD_1 = 'Violet-Harbor-Lantern-42';
const PASSWORD_2 = 'Quiet-Meadow-Compass-77';
const PASSWORD_3 = 'Amber-Falcon-Trellis-19';
const OWNER_SCOPES = [
  'conversations:read',
  'conversations:write',
  'conversations:delete',
  'tools:read',
  'billing:read',
  'billing:manage',
  'support:read',
  'members:read',
  'members:manage',
  'audit:read',
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The whole identity lifecycle over HTTP against the real Postgres and Redis, mail through the
 * SMTP fake: the test that would have caught the replaced service's unwired repositories.
 */
describe('auth lifecycle: register -> verify -> login -> refresh/reuse -> logout -> passwords', () => {
  let t: TestApp;
  let smtp: SmtpFake;
  const email = uniqueEmail('flow');
  const tenantName = `Flow Rockets ${Date.now()}`;

  beforeAll(async () => {
    smtp = await startSmtpFake();
    t = await startTestApp({
      env: {
        SMTP_URL: smtp.url,
        EMAIL_LINK_BASE_URL: 'https://app.example.test',
        AUTH_REFRESH_REUSE_GRACE_SECONDS: String(GRACE_SECONDS),
        AUTH_PASSWORD_ARGON2_MEMORY_KIB: '4096',
      },
    });
  });

  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const me = (accessToken: string) =>
    t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${accessToken}`);
  const login = (password: string) =>
    t.http.post('/api/v1/auth/token').send({ email: email.toUpperCase(), password });
  const refresh = (refreshToken: string) =>
    t.http.post('/api/v1/auth/refresh').send({ refresh_token: refreshToken });

  it('walks the whole lifecycle', async () => {
    // --- register
    const registered = await t.http
      .post('/api/v1/auth/register')
      .set('User-Agent', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Firefox/125.0')
      .send({
        email,
        password: PASSWORD_1,
        tenant_name: tenantName,
        display_name: 'Flo Owner',
        accept_terms: true,
      })
      .expect(201);
    expect(registered.body).toMatchObject({
      token_type: 'bearer',
      scopes: OWNER_SCOPES,
      email_verified: false,
      tenant_slug: tenantName.toLowerCase().replace(/ /g, '-'),
    });
    expect(registered.body.expires_at).toMatch(/Z$/);
    const [user] = await t.dataSource.query(
      'SELECT id, status, password_pepper_version, password_hash, email_verified_at FROM users WHERE email = $1',
      [email],
    );
    expect(user).toMatchObject({ status: 'active', password_pepper_version: 'v3' });
    expect(user.password_hash).toMatch(/^\$argon2id\$/);
    expect(user.email_verified_at).toBeNull();
    expect(registered.body.user_id).toBe(user.id);
    const [membership] = await t.dataSource.query(
      'SELECT m.role, t.slug, t.name FROM tenant_user_memberships m JOIN tenant_accounts t ON t.id = m.tenant_id WHERE m.user_id = $1',
      [user.id],
    );
    expect(membership).toEqual({
      role: 'owner',
      slug: registered.body.tenant_slug,
      name: tenantName,
    });
    const [profile] = await t.dataSource.query(
      'SELECT display_name FROM user_profiles WHERE user_id = $1',
      [user.id],
    );
    expect(profile.display_name).toBe('Flo Owner');

    // --- verify the email through the SMTP fake
    const verifyMail = await smtp.waitForMailTo(email);
    expect(verifyMail.subject).toBe('Verify your email address');
    expect(verifyMail.html).toContain('https://app.example.test/email/verify?token=');
    expect(verifyMail.text).toContain('https://app.example.test/email/verify?token=');
    const verifyToken = extractToken(verifyMail)!;
    expect(verifyToken).toMatch(/^[0-9a-f]{32}\.[0-9a-f]{64}$/);
    const [tokenId] = verifyToken.split('.');
    expect(await t.redis.client.exists(`auth:emailverify:${tokenId}`)).toBe(1);
    const stored = await t.redis.client.get(`auth:emailverify:${tokenId}`);
    expect(stored).not.toContain(verifyToken.split('.')[1]); // hashed at rest

    await t.http
      .post('/api/v1/auth/email/verify')
      .send({ token: verifyToken })
      .expect(200, { success: true, message: 'Email verified successfully.', data: null });
    expect(await t.redis.client.exists(`auth:emailverify:${tokenId}`)).toBe(0);
    const [verified] = await t.dataSource.query(
      'SELECT email_verified_at FROM users WHERE id = $1',
      [user.id],
    );
    expect(verified.email_verified_at).not.toBeNull();
    // Verification keeps the signup session (docs/email-verification.md): the access token keeps
    // working with its old claims until it expires, and the next refresh says verified.
    await me(registered.body.access_token).expect(200);
    const conversations = (token: string) =>
      t.http.get('/api/v1/conversations').set('Authorization', `Bearer ${token}`);
    const stale = await conversations(registered.body.access_token).expect(403);
    expect(stale.body.code).toBe('email_unverified');
    const renewed = await refresh(registered.body.refresh_token).expect(200);
    expect(renewed.body).toMatchObject({
      email_verified: true,
      session_id: registered.body.session_id,
    });
    await conversations(renewed.body.access_token).expect(200);
    const reused = await t.http
      .post('/api/v1/auth/email/verify')
      .send({ token: verifyToken })
      .expect(400);
    expect(reused.body.message).toBe('Verification token is invalid or expired.');

    // --- login; the tokens verify with jose against the served JWKS
    const first = await login(PASSWORD_1).expect(200);
    expect(first.body).toMatchObject({ email_verified: true, user_id: user.id });
    const jwks = createLocalJWKSet((await t.http.get('/.well-known/jwks.json').expect(200)).body);
    const { payload: accessClaims } = await jwtVerify(first.body.access_token, jwks, {
      issuer: t.config.APP_NAME,
      audience: t.config.AUTH_AUDIENCE,
    });
    expect(accessClaims).toMatchObject({
      sub: `user:${user.id}`,
      token_use: 'access',
      sid: first.body.session_id,
      email_verified: true,
      roles: ['owner'],
      scope: OWNER_SCOPES.join(' '),
    });
    const { payload: refreshClaims } = await jwtVerify(first.body.refresh_token, jwks, {
      issuer: t.config.APP_NAME,
    });
    expect(refreshClaims).toMatchObject({ token_use: 'refresh', account: `user:${user.id}` });
    expect(refreshClaims.aud).toBeUndefined();
    await me(first.body.access_token).expect(200);

    // --- refresh rotates the token within the same session
    const rotated = await refresh(first.body.refresh_token).expect(200);
    expect(rotated.body.session_id).toBe(first.body.session_id);
    expect(rotated.body.refresh_token).not.toBe(first.body.refresh_token);
    const [oldRow] = await t.dataSource.query(
      'SELECT revoked_reason, refresh_token_hash FROM service_account_tokens WHERE refresh_jti = $1',
      [refreshClaims.jti],
    );
    expect(oldRow.revoked_reason).toBe('rotated');
    expect(oldRow.refresh_token_hash).toMatch(/^hmac-sha256\$[0-9a-f]{64}$/);

    // --- a second presentation within the grace window (a second tab) stays in the session
    const secondTab = await refresh(first.body.refresh_token).expect(200);
    expect(secondTab.body.session_id).toBe(first.body.session_id);
    await me(secondTab.body.access_token).expect(200);

    // --- presented after the window: reuse, the whole session is revoked
    await sleep((GRACE_SECONDS + 1.2) * 1000);
    const reuse = await refresh(first.body.refresh_token).expect(401);
    expect(reuse.body).toMatchObject({
      message: 'Refresh token has been revoked or expired.',
      code: 'refresh_reused',
    });
    await me(rotated.body.access_token).expect(401);
    await me(secondTab.body.access_token).expect(401);
    await refresh(rotated.body.refresh_token).expect(401);
    const [session] = await t.dataSource.query(
      'SELECT revoked_at, revoked_reason FROM user_sessions WHERE id = $1',
      [first.body.session_id],
    );
    expect(session.revoked_reason).toBe('refresh_token_reuse');
    const [{ active }] = await t.dataSource.query(
      'SELECT count(*)::int AS active FROM service_account_tokens WHERE session_id = $1 AND revoked_at IS NULL',
      [first.body.session_id],
    );
    expect(active).toBe(0);

    // --- login again, then logout that session
    const second = await login(PASSWORD_1).expect(200);
    expect(second.body.session_id).not.toBe(first.body.session_id);
    await t.http
      .post('/api/v1/auth/logout')
      .set('Authorization', `Bearer ${second.body.access_token}`)
      .send({ refresh_token: second.body.refresh_token })
      .expect(200, {
        success: true,
        message: 'Session revoked successfully.',
        data: { revoked: true },
      });
    await me(second.body.access_token).expect(401);
    await refresh(second.body.refresh_token).expect(401);

    // --- logout everywhere (the signup session, kept through verification, and two logins)
    const third = await login(PASSWORD_1).expect(200);
    const fourth = await login(PASSWORD_1).expect(200);
    await t.http
      .post('/api/v1/auth/logout/all')
      .set('Authorization', `Bearer ${third.body.access_token}`)
      .expect(200, {
        success: true,
        message: 'All sessions revoked successfully.',
        data: { revoked: 3 },
      });
    await me(renewed.body.access_token).expect(401);
    await me(fourth.body.access_token).expect(401);
    await refresh(fourth.body.refresh_token).expect(401);

    // --- password change (revokes every session, the current one included)
    const fifth = await login(PASSWORD_1).expect(200);
    await t.http
      .post('/api/v1/auth/password/change')
      .set('Authorization', `Bearer ${fifth.body.access_token}`)
      .send({ current_password: PASSWORD_1, new_password: PASSWORD_2 })
      .expect(200, { success: true, message: 'Password updated successfully', data: null });
    await me(fifth.body.access_token).expect(401);
    await login(PASSWORD_1).expect(401);

    // --- forgot + confirm through the SMTP fake
    smtp.clear();
    await t.http.post('/api/v1/auth/password/forgot').send({ email }).expect(202, {
      success: true,
      message: 'If the account exists, password reset instructions have been sent.',
      data: null,
    });
    const resetMail = await smtp.waitForMailTo(email);
    expect(resetMail.subject).toBe('Reset your password');
    expect(resetMail.text).toContain('https://app.example.test/reset-password?token=');
    const resetToken = extractToken(resetMail)!;
    await t.http
      .post('/api/v1/auth/password/confirm')
      .send({ token: resetToken, new_password: PASSWORD_3 })
      .expect(200, {
        success: true,
        message: 'Password has been reset successfully.',
        data: null,
      });
    await t.http
      .post('/api/v1/auth/password/confirm')
      .send({ token: resetToken, new_password: 'Another-Fresh-Secret-55' })
      .expect(400);

    // --- login with the new password
    await login(PASSWORD_2).expect(401);
    const last = await login(PASSWORD_3).expect(200);
    await me(last.body.access_token).expect(200);
    const [{ history }] = await t.dataSource.query(
      'SELECT count(*)::int AS history FROM password_history WHERE user_id = $1',
      [user.id],
    );
    expect(history).toBe(3);
  });
});
