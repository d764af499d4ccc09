import { EmailVerificationService } from '../../../src/modules/auth/email/email-verification.service';
import { UserRepository } from '../../../src/modules/auth/users/user.repository';
import { extractToken, startSmtpFake, type SmtpFake } from '../../support/fakes';
import { uniqueEmail } from '../../support/auth-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';
import {
  createPasswordUser,
  FAST_AUTH_ENV,
  loginAs,
  sleep,
  type PasswordUser,
} from './auth-e2e-helpers';

const NEW_PASSWORD = 'Quiet-Meadow-Compass-77';
const OTHER_PASSWORD = 'Amber-Falcon-Trellis-19';

describe('email verification and passwords', () => {
  let t: TestApp;
  let smtp: SmtpFake;

  beforeAll(async () => {
    smtp = await startSmtpFake();
    t = await startTestApp({
      env: {
        ...FAST_AUTH_ENV,
        SMTP_URL: smtp.url,
        TRUSTED_PROXIES: '127.0.0.1',
        EMAIL_LINK_BASE_URL: 'https://app.example.test/base/',
        EMAIL_VERIFICATION_LINK_PATH: '/account/confirm-email',
        PASSWORD_RESET_LINK_PATH: '/account/new-password',
        EMAIL_VERIFICATION_EMAIL_RATE_LIMIT_PER_HOUR: '2',
        PASSWORD_RESET_EMAIL_RATE_LIMIT_PER_HOUR: '3',
      },
    });
  });

  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  let ipCounter = 0;
  /** Every test speaks from its own address, so per-IP quotas never interfere. */
  const nextIp = () => `192.0.2.${++ipCounter}`;

  const login = async (user: PasswordUser, password = user.password) =>
    (await loginAs(t, { email: user.email, password }, nextIp()).expect(200)).body as Record<
      string,
      string
    >;
  const bearer = (token: string) => `Bearer ${token}`;

  describe('POST /email/send and /email/verify', () => {
    it('answers at once for a verified token, without a quota or a mail', async () => {
      const user = await createPasswordUser(t);
      const tokens = await login(user);
      for (let i = 0; i < 4; i += 1) {
        await t.http
          .post('/api/v1/auth/email/send')
          .set('Authorization', bearer(tokens.access_token))
          .expect(202, {
            success: true,
            message: 'Email already verified.',
            data: { email_verified: true },
          });
      }
      expect(smtp.messages.filter((m) => m.to.includes(user.email))).toHaveLength(0);
    });

    it('mails a link, invalidates older links, and enforces the per-user quota (429 + Retry-After)', async () => {
      const user = await createPasswordUser(t, { emailVerified: false, status: 'pending' });
      await t.dataSource.query("UPDATE users SET status = 'active' WHERE id = $1", [user.userId]);
      const tokens = await login(user);
      const send = () =>
        t.http
          .post('/api/v1/auth/email/send')
          .set('Authorization', bearer(tokens.access_token))
          .set('X-Forwarded-For', '192.0.2.200');

      await send().expect(202, {
        success: true,
        message: 'Verification email sent.',
        data: { email_verified: false },
      });
      const firstMail = await smtp.waitForMail((m) => m.to.includes(user.email));
      // The configured page, joined under the base URL's own path.
      expect(firstMail.text).toContain(
        'https://app.example.test/base/account/confirm-email?token=',
      );
      expect(firstMail.html).toContain(
        'href="https://app.example.test/base/account/confirm-email?token=',
      );
      // The development note is for logged mail only, never mailed.
      expect(firstMail.text).not.toContain('curl');
      const firstToken = extractToken(firstMail)!;

      await send().expect(202);
      const secondMail = await smtp.waitForMail(
        (m) => m.to.includes(user.email) && extractToken(m) !== firstToken,
      );
      const secondToken = extractToken(secondMail)!;

      const limited = await send().expect(429);
      expect(limited.headers['retry-after']).toMatch(/^\d+$/);
      expect(limited.body).toMatchObject({
        message: expect.stringMatching(
          /^Rate limit exceeded \(email_verify_user\)\. Retry after \d+s\.$/,
        ),
        details: { 'Retry-After': limited.headers['retry-after'] },
      });
      expect(await t.redis.client.get(`rate-limit:quota:email_verify_user:${user.userId}`)).toBe(
        '3',
      );

      // The newer link replaced the older one (decision A6).
      const stale = await t.http
        .post('/api/v1/auth/email/verify')
        .send({ token: firstToken })
        .expect(400);
      expect(stale.body.message).toBe('Verification token is invalid or expired.');
      await t.http.post('/api/v1/auth/email/verify').send({ token: secondToken }).expect(200);
      const [row] = await t.dataSource.query('SELECT email_verified_at FROM users WHERE id = $1', [
        user.userId,
      ]);
      expect(row.email_verified_at).not.toBeNull();
      // The session survives verification; its next refresh carries the verified claim.
      await t.http
        .get('/api/v1/auth/me')
        .set('Authorization', bearer(tokens.access_token))
        .expect(200);
      const renewed = await t.http
        .post('/api/v1/auth/refresh')
        .send({ refresh_token: tokens.refresh_token })
        .expect(200);
      expect(renewed.body.email_verified).toBe(true);
      expect((await login(user)).email_verified).toBe(true);
    });

    it('activates a pending user and refuses a link minted for a previous email', async () => {
      const pending = await createPasswordUser(t, { emailVerified: false, status: 'pending' });
      const record = (await t.app.get(UserRepository).findById(pending.userId))!;
      await t.app.get(EmailVerificationService).sendLink(record, { ip: null, userAgent: null });
      const token = extractToken(await smtp.waitForMailTo(pending.email))!;
      await t.http.post('/api/v1/auth/email/verify').send({ token }).expect(200);
      const [row] = await t.dataSource.query('SELECT status FROM users WHERE id = $1', [
        pending.userId,
      ]);
      expect(row.status).toBe('active');

      const mover = await createPasswordUser(t, { emailVerified: false });
      const moverRecord = (await t.app.get(UserRepository).findById(mover.userId))!;
      await t.app
        .get(EmailVerificationService)
        .sendLink(moverRecord, { ip: null, userAgent: null });
      const moverToken = extractToken(await smtp.waitForMailTo(mover.email))!;
      await t.dataSource.query('UPDATE users SET email = $2 WHERE id = $1', [
        mover.userId,
        uniqueEmail('moved'),
      ]);
      await t.http.post('/api/v1/auth/email/verify').send({ token: moverToken }).expect(400);
    });

    it('answers 503 when the mail cannot be delivered, without logging the address', async () => {
      const user = await createPasswordUser(t, { emailVerified: false });
      const tokens = await login(user);
      smtp.failNext(1, { responseCode: 550, message: `mailbox ${user.email} unavailable` });
      const failed = await t.http
        .post('/api/v1/auth/email/send')
        .set('Authorization', bearer(tokens.access_token))
        .expect(503);
      expect(failed.body).toMatchObject({ code: 'mail_unavailable' });
      expect(JSON.stringify(t.logs)).not.toContain(user.email);
      // The forgot-password answer never depends on delivery.
      smtp.failNext(1);
      await t.http
        .post('/api/v1/auth/password/forgot')
        .set('X-Forwarded-For', nextIp())
        .send({ email: user.email })
        .expect(202);
    });

    it('rejects malformed and unknown tokens', async () => {
      for (const token of ['no-dot', '.secret', 'id.']) {
        const response = await t.http.post('/api/v1/auth/email/verify').send({ token }).expect(400);
        expect(response.body.message).toBe('Verification token is malformed.');
      }
      const unknown = await t.http
        .post('/api/v1/auth/email/verify')
        .send({ token: `${'a'.repeat(32)}.${'b'.repeat(64)}` })
        .expect(400);
      expect(unknown.body.message).toBe('Verification token is invalid or expired.');
      await t.http.post('/api/v1/auth/email/verify').send({ token: '' }).expect(422);
    });
  });

  describe('POST /password/forgot and /password/confirm', () => {
    const forgot = (email: string, ip = nextIp()) =>
      t.http.post('/api/v1/auth/password/forgot').set('X-Forwarded-For', ip).send({ email });
    const confirm = (token: string, password: string) =>
      t.http.post('/api/v1/auth/password/confirm').send({ token, new_password: password });

    it('answers 202 for unknown emails without mailing or storing anything', async () => {
      const email = uniqueEmail('ghost');
      await forgot(email).expect(202);
      await sleep(200);
      expect(smtp.messages.filter((m) => m.to.includes(email))).toHaveLength(0);
      expect(
        t.logs.some(
          (l) =>
            l.event === 'auth.password_reset_request' &&
            l.result === 'ignored' &&
            !JSON.stringify(l).includes(email),
        ),
      ).toBe(true);
    });

    it('keeps the token on a policy or history failure, consumes it on success', async () => {
      const user = await createPasswordUser(t);
      const session = await login(user);
      await forgot(user.email.toUpperCase()).expect(202);
      const resetMail = await smtp.waitForMailTo(user.email);
      expect(resetMail.text).toContain('https://app.example.test/base/account/new-password?token=');
      const token = extractToken(resetMail)!;
      expect(token).toMatch(/^[0-9a-f]{32}\.[0-9a-f]{64}$/);

      const weak = await confirm(token, 'Password123456').expect(422);
      expect(weak.body.details[0]).toMatchObject({
        loc: ['body', 'new_password'],
        msg: 'Value error, Password is too weak according to the current policy.',
      });
      const reused = await confirm(token, user.password).expect(400);
      expect(reused.body.message).toBe('Password was recently used.');

      await confirm(token, NEW_PASSWORD).expect(200);
      const again = await confirm(token, OTHER_PASSWORD).expect(400);
      expect(again.body.message).toBe('Password reset token is invalid or expired.');
      await t.http
        .get('/api/v1/auth/me')
        .set('Authorization', bearer(session.access_token))
        .expect(401);
      await loginAs(t, { email: user.email, password: NEW_PASSWORD }, nextIp()).expect(200);
      expect(await t.redis.client.exists(`auth:pwdreset:${token.split('.')[0]}`)).toBe(0);
      const [{ revoked }] = await t.dataSource.query(
        "SELECT count(*)::int AS revoked FROM user_sessions WHERE user_id = $1 AND revoked_reason = 'password_reset_token'",
        [user.userId],
      );
      expect(revoked).toBe(1);
    });

    it('a newer token or a password change invalidates older reset tokens', async () => {
      const user = await createPasswordUser(t);
      await forgot(user.email).expect(202);
      const first = extractToken(await smtp.waitForMailTo(user.email))!;
      smtp.clear();
      await forgot(user.email).expect(202);
      const second = extractToken(await smtp.waitForMailTo(user.email))!;
      expect(second).not.toBe(first);
      expect((await confirm(first, NEW_PASSWORD).expect(400)).body.message).toBe(
        'Password reset token is invalid or expired.',
      );

      const session = await login(user);
      await t.http
        .post('/api/v1/auth/password/change')
        .set('Authorization', bearer(session.access_token))
        .send({ current_password: user.password, new_password: OTHER_PASSWORD })
        .expect(200);
      await confirm(second, NEW_PASSWORD).expect(400);
    });

    it('enforces the per-email quota and rejects malformed tokens', async () => {
      const user = await createPasswordUser(t);
      for (let i = 0; i < 3; i += 1) await forgot(user.email).expect(202);
      const limited = await forgot(user.email).expect(429);
      expect(limited.body.message).toMatch(
        /^Rate limit exceeded \(password_reset_email\)\. Retry after \d+s\.$/,
      );
      expect(limited.headers['retry-after']).toBeDefined();
      const malformed = await confirm('nodot', NEW_PASSWORD).expect(400);
      expect(malformed.body.message).toBe('Password reset token is malformed.');
      await forgot('not-an-email').expect(422);
    });
  });

  describe('POST /password/change', () => {
    it('checks the current password, history and policy', async () => {
      const user = await createPasswordUser(t);
      const session = await login(user);
      const change = (body: Record<string, unknown>) =>
        t.http
          .post('/api/v1/auth/password/change')
          .set('Authorization', bearer(session.access_token))
          .send(body);

      const wrong = await change({
        current_password: 'Not-Current-1',
        new_password: NEW_PASSWORD,
      }).expect(401);
      expect(wrong.body.message).toBe('Invalid current password.');
      expect(wrong.headers['www-authenticate']).toBeUndefined();
      // Counted toward the lockout, like a wrong login password (below the threshold: still 401).
      expect(await t.redis.client.get(`auth:lockout:counter:${user.userId}`)).toBe('1');

      const reused = await change({
        current_password: user.password,
        new_password: user.password,
      }).expect(400);
      expect(reused.body.message).toBe('Password was recently used.');

      const local = user.email.split('@')[0];
      const weak = await change({
        current_password: user.password,
        new_password: `${local}@example.test`,
      }).expect(400);
      expect(weak.body.message).toBe('Password is too weak according to the current policy.');
      const short = await change({
        current_password: user.password,
        new_password: 'Short-1',
      }).expect(422);
      expect(short.body.details[0].type).toBe('string_too_short');
      await me(session.access_token).expect(200);
    });

    const me = (access: string) =>
      t.http.get('/api/v1/auth/me').set('Authorization', bearer(access));
  });

  describe('POST /password/reset (tenant admin)', () => {
    const reset = (access: string, body: Record<string, unknown>) =>
      t.http.post('/api/v1/auth/password/reset').set('Authorization', bearer(access)).send(body);

    it('lets an owner reset a member: history, lockout cleared, sessions revoked', async () => {
      const owner = await createPasswordUser(t);
      const member = await createPasswordUser(t, { role: 'member', tenantId: owner.tenantId });
      const ownerSession = await login(owner);
      const memberSession = await login(member);
      await t.redis.client.set(`auth:lockout:counter:${member.userId}`, '3');

      await reset(ownerSession.access_token, {
        user_id: member.userId,
        new_password: NEW_PASSWORD,
      }).expect(200, {
        success: true,
        message: 'Password reset successfully',
        data: null,
      });
      await t.http
        .get('/api/v1/auth/me')
        .set('Authorization', bearer(memberSession.access_token))
        .expect(401);
      expect(await t.redis.client.exists(`auth:lockout:counter:${member.userId}`)).toBe(0);
      await loginAs(t, { email: member.email, password: NEW_PASSWORD }, nextIp()).expect(200);
      const [{ history }] = await t.dataSource.query(
        'SELECT count(*)::int AS history FROM password_history WHERE user_id = $1',
        [member.userId],
      );
      expect(history).toBe(2);
      const again = await reset(ownerSession.access_token, {
        user_id: member.userId,
        new_password: NEW_PASSWORD,
      }).expect(400);
      expect(again.body.message).toBe('Password was recently used.');
    });

    it('does not let an admin reset an owner, but an admin may reset a member', async () => {
      const owner = await createPasswordUser(t);
      const admin = await createPasswordUser(t, { role: 'admin', tenantId: owner.tenantId });
      const member = await createPasswordUser(t, { role: 'member', tenantId: owner.tenantId });
      const adminSession = await login(admin);
      const refused = await reset(adminSession.access_token, {
        user_id: owner.userId,
        new_password: NEW_PASSWORD,
      }).expect(403);
      expect(refused.body.message).toBe('Insufficient tenant privileges for this operation.');
      await loginAs(t, { email: owner.email, password: owner.password }, nextIp()).expect(200);
      await reset(adminSession.access_token, {
        user_id: member.userId,
        new_password: NEW_PASSWORD,
      }).expect(200);
    });

    it('checks scope, verified email, target and tenant', async () => {
      const owner = await createPasswordUser(t);
      const member = await createPasswordUser(t, { role: 'member', tenantId: owner.tenantId });
      const outsider = await createPasswordUser(t);
      const ownerSession = await login(owner);
      const memberSession = await login(member);

      const scope = await reset(memberSession.access_token, {
        user_id: owner.userId,
        new_password: NEW_PASSWORD,
      }).expect(403);
      expect(scope.body.message).toBe('Insufficient scopes for this operation.');

      const unknown = await reset(ownerSession.access_token, {
        user_id: '6f1c3a52-3d1e-4b8e-9a51-0c1f2e3d4c5b',
        new_password: NEW_PASSWORD,
      }).expect(404);
      expect(unknown.body.message).toBe('Unknown user.');
      const foreign = await reset(ownerSession.access_token, {
        user_id: outsider.userId,
        new_password: NEW_PASSWORD,
      }).expect(404);
      expect(foreign.body.message).toBe('User is not a member of the requested tenant.');
      await reset(ownerSession.access_token, {
        user_id: 'nope',
        new_password: NEW_PASSWORD,
      }).expect(422);

      const unverified = await createPasswordUser(t, { emailVerified: false });
      const unverifiedSession = await login(unverified);
      const gate = await reset(unverifiedSession.access_token, {
        user_id: unverified.userId,
        new_password: NEW_PASSWORD,
      }).expect(403);
      expect(gate.body.message).toBe('Email verification required.');
    });
  });
});
