import { extractToken, startSmtpFake, type SmtpFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';
import { createPasswordUser, FAST_AUTH_ENV, loginAs, type PasswordUser } from './auth-e2e-helpers';

const THRESHOLD = 3;
const WRONG = 'Wrong-Password-Attempt-1';
const NEW_PASSWORD = 'Quiet-Meadow-Compass-77';

interface AuditRow {
  tenant_id: string | null;
  action: string;
  actor_user_id: string | null;
  target_id: string | null;
  request_id: string | null;
  ip_hash: string | null;
  details: Record<string, unknown>;
}

describe('account unlock link and account audit events', () => {
  let t: TestApp;
  let smtp: SmtpFake;

  beforeAll(async () => {
    smtp = await startSmtpFake();
    t = await startTestApp({
      env: {
        ...FAST_AUTH_ENV,
        SMTP_URL: smtp.url,
        TRUSTED_PROXIES: '127.0.0.1',
        AUTH_LOCKOUT_THRESHOLD: String(THRESHOLD),
        AUTH_IP_LOCKOUT_THRESHOLD: '1000',
        EMAIL_LINK_BASE_URL: 'https://app.example.test/base/',
        ACCOUNT_UNLOCK_LINK_PATH: '/account/unlock',
      },
    });
  });

  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  let ipCounter = 0;
  const nextIp = () => `192.0.2.${++ipCounter}`;

  const audit = async (userId: string, action: string): Promise<AuditRow[]> =>
    t.dataSource.query(
      `SELECT tenant_id, action, actor_user_id, target_id, request_id, ip_hash, details
         FROM audit_events WHERE target_id = $1 AND action = $2 ORDER BY occurred_at`,
      [userId, action],
    );
  const status = async (userId: string): Promise<string> =>
    (
      await t.dataSource.query<Array<{ status: string }>>(
        'SELECT status FROM users WHERE id = $1',
        [userId],
      )
    )[0].status;
  const unlockMailFor = (user: PasswordUser) =>
    smtp.waitForMail((m) => m.to.includes(user.email) && m.subject === 'Your account was locked');

  /** Wrong passwords up to the threshold: the last one answers the 423. */
  const lockByLogin = async (user: PasswordUser): Promise<void> => {
    const ip = nextIp();
    for (let i = 1; i < THRESHOLD; i += 1) {
      await loginAs(t, { email: user.email, password: WRONG }, ip).expect(401);
    }
    const locked = await loginAs(t, { email: user.email, password: WRONG }, ip).expect(423);
    expect(locked.body).toMatchObject({ code: 'account_locked' });
  };

  const unlock = (token: unknown) =>
    t.http.post('/api/v1/auth/unlock').set('X-Forwarded-For', nextIp()).send({ token });

  it('mails an unlock link on lockout; the link unlocks at once, once, and is audited', async () => {
    const user = await createPasswordUser(t);
    await lockByLogin(user);
    expect(await status(user.userId)).toBe('locked');
    await loginAs(t, { email: user.email, password: user.password }, nextIp()).expect(423);

    const mail = await unlockMailFor(user);
    expect(mail.text).toContain('https://app.example.test/base/account/unlock?token=');
    expect(mail.text).not.toContain('curl');
    const token = extractToken(mail)!;
    expect(token).toMatch(/^[0-9a-f]{32}\.[0-9a-f]{64}$/);

    const done = await unlock(token).expect(204);
    expect(done.text).toBe('');
    expect(await status(user.userId)).toBe('active');
    expect(await t.redis.client.exists(`auth:lockout:state:${user.userId}`)).toBe(0);
    expect(await t.redis.client.exists(`auth:lockout:counter:${user.userId}`)).toBe(0);
    await loginAs(t, { email: user.email, password: user.password }, nextIp()).expect(200);

    const rows = await audit(user.userId, 'user.unlocked');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      tenant_id: user.tenantId,
      actor_user_id: null,
      request_id: done.headers['x-request-id'],
    });
    expect(rows[0].ip_hash).toEqual(expect.any(String));
    expect(JSON.stringify(rows[0].details)).not.toContain(token.split('.')[1]);

    const reused = await unlock(token).expect(400);
    expect(reused.body).toMatchObject({
      code: 'invalid_unlock_token',
      message: 'Unlock token is invalid or expired.',
    });
    expect(await audit(user.userId, 'user.unlocked')).toHaveLength(1);
  });

  it('refuses garbage tokens: malformed (400) and invalid bodies (422 envelope)', async () => {
    const malformed = await unlock('not-a-token').expect(400);
    expect(malformed.body).toMatchObject({ code: 'invalid_unlock_token' });
    const unknown = await unlock(`${'a'.repeat(32)}.${'b'.repeat(64)}`).expect(400);
    expect(unknown.body).toMatchObject({ code: 'invalid_unlock_token' });
    const empty = await unlock('').expect(422);
    expect(empty.body).toMatchObject({ success: false });
    await t.http.post('/api/v1/auth/unlock').send({}).expect(422);
    await unlock(12345).expect(422);
  });

  it('leaves a disabled account disabled', async () => {
    const user = await createPasswordUser(t);
    await lockByLogin(user);
    const token = extractToken(await unlockMailFor(user))!;
    await t.dataSource.query("UPDATE users SET status = 'disabled' WHERE id = $1", [user.userId]);

    await unlock(token).expect(204);
    expect(await status(user.userId)).toBe('disabled');
    expect(await audit(user.userId, 'user.unlocked')).toHaveLength(0);
    await loginAs(t, { email: user.email, password: user.password }, nextIp()).expect(403);
  });

  describe('POST /password/change', () => {
    const change = (accessToken: string, current: string, next = NEW_PASSWORD) =>
      t.http
        .post('/api/v1/auth/password/change')
        .set('Authorization', `Bearer ${accessToken}`)
        .set('X-Forwarded-For', nextIp())
        .send({ current_password: current, new_password: next });

    it('counts a wrong current password toward the lockout and mails the unlock link', async () => {
      const user = await createPasswordUser(t);
      const { access_token: accessToken } = (
        await loginAs(t, { email: user.email, password: user.password }, nextIp()).expect(200)
      ).body as { access_token: string };

      for (let i = 1; i < THRESHOLD; i += 1) {
        const wrong = await change(accessToken, WRONG).expect(401);
        expect(wrong.body).toMatchObject({ code: 'invalid_current_password' });
      }
      const locked = await change(accessToken, WRONG).expect(423);
      expect(locked.body).toMatchObject({ code: 'account_locked' });
      expect(await status(user.userId)).toBe('locked');
      expect(await t.redis.client.exists(`auth:lockout:state:${user.userId}`)).toBe(1);
      const events = await t.dataSource.query<Array<{ result: string; reason: string }>>(
        'SELECT result, reason FROM user_login_events WHERE user_id = $1 ORDER BY created_at',
        [user.userId],
      );
      expect(events.map((e) => `${e.result}:${e.reason}`)).toContain('locked:lockout_threshold');

      // Locked: even the right password is refused, and no second mail is sent.
      await change(accessToken, user.password).expect(423);
      await loginAs(t, { email: user.email, password: user.password }, nextIp()).expect(423);
      const token = extractToken(await unlockMailFor(user))!;
      await unlock(token).expect(204);
      expect(
        smtp.messages.filter(
          (m) => m.to.includes(user.email) && m.subject === 'Your account was locked',
        ),
      ).toHaveLength(1);
      await loginAs(t, { email: user.email, password: user.password }, nextIp()).expect(200);
    });

    it('audits password.changed with the caller as actor and the request id', async () => {
      const user = await createPasswordUser(t);
      const { access_token: accessToken } = (
        await loginAs(t, { email: user.email, password: user.password }, nextIp()).expect(200)
      ).body as { access_token: string };
      await change(accessToken, WRONG).expect(401);
      expect(await audit(user.userId, 'password.changed')).toHaveLength(0);

      const changed = await change(accessToken, user.password).expect(200);
      const rows = await audit(user.userId, 'password.changed');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        tenant_id: user.tenantId,
        actor_user_id: user.userId,
        request_id: changed.headers['x-request-id'],
      });
      expect(JSON.stringify(rows[0].details)).not.toContain(NEW_PASSWORD);
      // The successful change cleared the failure counter.
      expect(await t.redis.client.exists(`auth:lockout:counter:${user.userId}`)).toBe(0);
    });
  });

  it('audits password.reset through the emailed link without an actor', async () => {
    const user = await createPasswordUser(t);
    await t.http
      .post('/api/v1/auth/password/forgot')
      .set('X-Forwarded-For', nextIp())
      .send({ email: user.email })
      .expect(202);
    const mail = await smtp.waitForMail(
      (m) => m.to.includes(user.email) && m.subject === 'Reset your password',
    );
    const token = extractToken(mail)!;
    const confirmed = await t.http
      .post('/api/v1/auth/password/confirm')
      .set('X-Forwarded-For', nextIp())
      .send({ token, new_password: NEW_PASSWORD })
      .expect(200);

    const rows = await audit(user.userId, 'password.reset');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      tenant_id: user.tenantId,
      actor_user_id: null,
      request_id: confirmed.headers['x-request-id'],
      details: { flow: 'token' },
    });
    expect(JSON.stringify(rows[0].details)).not.toContain(token.split('.')[1]);
    await loginAs(t, { email: user.email, password: NEW_PASSWORD }, nextIp()).expect(200);
  });

  it('audits an admin reset (password.reset and session.revoked) with the admin as actor', async () => {
    const owner = await createPasswordUser(t);
    const member = await createPasswordUser(t, { role: 'member', tenantId: owner.tenantId });
    const { access_token: ownerToken } = (
      await loginAs(t, { email: owner.email, password: owner.password }, nextIp()).expect(200)
    ).body as { access_token: string };
    const { access_token: memberToken } = (
      await loginAs(t, { email: member.email, password: member.password }, nextIp()).expect(200)
    ).body as { access_token: string };

    const reset = await t.http
      .post('/api/v1/auth/password/reset')
      .set('Authorization', `Bearer ${ownerToken}`)
      .send({ user_id: member.userId, new_password: NEW_PASSWORD })
      .expect(200);
    await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${memberToken}`).expect(401);

    const requestId = reset.headers['x-request-id'];
    expect(await audit(member.userId, 'password.reset')).toEqual([
      expect.objectContaining({
        tenant_id: owner.tenantId,
        actor_user_id: owner.userId,
        request_id: requestId,
        details: { flow: 'admin', tenant_id: owner.tenantId },
      }),
    ]);
    expect(await audit(member.userId, 'session.revoked')).toEqual([
      expect.objectContaining({
        tenant_id: owner.tenantId,
        actor_user_id: owner.userId,
        request_id: requestId,
        details: { reason: 'password_reset', sessions: 1 },
      }),
    ]);
  });

  it('audits email.verified once, with the request id', async () => {
    const user = await createPasswordUser(t, { emailVerified: false });
    const { access_token: accessToken } = (
      await loginAs(t, { email: user.email, password: user.password }, nextIp()).expect(200)
    ).body as { access_token: string };
    await t.http
      .post('/api/v1/auth/email/send')
      .set('Authorization', `Bearer ${accessToken}`)
      .set('X-Forwarded-For', nextIp())
      .expect(202);
    const token = extractToken(
      await smtp.waitForMail(
        (m) => m.to.includes(user.email) && m.subject === 'Verify your email address',
      ),
    )!;
    const verified = await t.http
      .post('/api/v1/auth/email/verify')
      .set('X-Forwarded-For', nextIp())
      .send({ token })
      .expect(200);

    const rows = await audit(user.userId, 'email.verified');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      tenant_id: user.tenantId,
      actor_user_id: null,
      request_id: verified.headers['x-request-id'],
    });
    const [row] = await t.dataSource.query('SELECT email_verified_at FROM users WHERE id = $1', [
      user.userId,
    ]);
    expect(row.email_verified_at).not.toBeNull();
  });
});
