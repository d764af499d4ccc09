import * as bcrypt from 'bcryptjs';
import { Fernet } from '../../../src/modules/auth/sessions/fernet';
import { hashIp } from '../../../src/modules/auth/client/ip-address';
import { uniqueEmail } from '../../support/auth-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';
import {
  createPasswordUser,
  FAST_AUTH_ENV,
  loginAs,
  STRONG_PASSWORD,
  withoutRequestId,
} from './auth-e2e-helpers';

describe('POST /api/v1/auth/token (login)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        ...FAST_AUTH_ENV,
        TRUSTED_PROXIES: '127.0.0.1',
        AUTH_LOCKOUT_THRESHOLD: '2',
        AUTH_IP_LOCKOUT_THRESHOLD: '4',
        AUTH_SESSION_IP_HASH_SALT: 'e2e-ip-salt',
        AUTH_SESSION_ENCRYPTION_KEY: 'e2e-encryption-key',
      },
    });
  });

  afterAll(async () => {
    await t.close();
  });

  const events = (userId: string) =>
    t.dataSource.query(
      'SELECT result, reason, ip_hash, user_agent FROM user_login_events WHERE user_id = $1 ORDER BY created_at',
      [userId],
    );

  const dummyVerifications = async (): Promise<number> => {
    const text = (await t.http.get('/metrics').expect(200)).text;
    const line = text
      .split('\n')
      .find((l) => l.startsWith('auth_password_verify_seconds_count{scheme="dummy"'));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('answers an unknown email exactly like a wrong password, after the same hashing work', async () => {
    const user = await createPasswordUser(t);
    const before = await dummyVerifications();
    const unknown = await loginAs(
      t,
      { email: uniqueEmail('nobody'), password: STRONG_PASSWORD },
      '198.51.1.10',
    ).expect(401);
    const wrong = await loginAs(
      t,
      { email: user.email, password: 'Not-The-Password-1' },
      '198.51.1.11',
    ).expect(401);
    expect(withoutRequestId(unknown.body)).toEqual(withoutRequestId(wrong.body));
    expect(unknown.body).toMatchObject({
      success: false,
      error: 'Invalid email or password.',
      message: 'Invalid email or password.',
      details: { 'WWW-Authenticate': 'Bearer' },
      code: 'invalid_credentials',
    });
    expect(unknown.headers['www-authenticate']).toBe('Bearer');
    expect(wrong.headers['www-authenticate']).toBe('Bearer');
    // The unknown email spent an argon2 verification on the dummy hash (decision A5).
    expect(await dummyVerifications()).toBe(before + 1);
    expect(await t.redis.client.get('auth:ip:counter:198.51.1.0/24')).toBe('2');
  });

  it('logs in with a case-insensitive email and records session, refresh row and login event', async () => {
    const user = await createPasswordUser(t);
    const longAgent = `Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0 Safari/537.36 ${'x'.repeat(700)}`;
    const response = await loginAs(
      t,
      { email: `  ${user.email.toUpperCase()} `, password: user.password, tenant_id: '' },
      '198.51.2.77',
      longAgent,
    ).expect(200);
    expect(response.body).toMatchObject({
      token_type: 'bearer',
      user_id: user.userId,
      tenant_id: user.tenantId,
      email_verified: true,
    });
    expect(response.body.kid).toBe(response.body.refresh_kid);
    const [session] = await t.dataSource.query(
      `SELECT user_agent, ip_masked, ip_hash, ip_encrypted, fingerprint, client_platform,
              client_browser, client_device, last_seen_at, revoked_at
         FROM user_sessions WHERE id = $1`,
      [response.body.session_id],
    );
    expect(session.user_agent).toHaveLength(512);
    expect(session).toMatchObject({
      ip_masked: '198.51.2.*',
      ip_hash: hashIp('e2e-ip-salt', '198.51.2.77'),
      client_platform: 'Windows',
      client_browser: 'Chrome',
      client_device: 'desktop',
      revoked_at: null,
    });
    expect(session.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(
      Fernet.fromSecret('e2e-encryption-key').decrypt(
        Buffer.from(session.ip_encrypted).toString('ascii'),
      ),
    ).toBe('198.51.2.77');
    const [event] = await events(user.userId);
    expect(event).toMatchObject({
      result: 'success',
      reason: 'login',
      ip_hash: hashIp('e2e-ip-salt', '198.51.2.77'),
    });
    expect(event.user_agent).toHaveLength(512);
  });

  it('locks the account at the threshold (423) and unlocks lazily once the flag expires', async () => {
    const user = await createPasswordUser(t);
    const ip = '198.51.3.10';
    const bad = { email: user.email, password: 'Wrong-Password-1' };
    await loginAs(t, bad, ip).expect(401);
    const locked = await loginAs(t, bad, ip).expect(423);
    expect(locked.body).toMatchObject({
      message: 'Account locked due to repeated failures.',
      code: 'account_locked',
    });
    const good = { email: user.email, password: user.password };
    const stillLocked = await loginAs(t, good, ip).expect(423);
    expect(stillLocked.body.message).toBe('Account is locked.');
    expect(await t.redis.client.exists(`auth:lockout:state:${user.userId}`)).toBe(1);
    expect(await t.redis.client.pttl(`auth:lockout:counter:${user.userId}`)).toBeGreaterThan(0);
    const [row] = await t.dataSource.query('SELECT status FROM users WHERE id = $1', [user.userId]);
    expect(row.status).toBe('locked');
    expect(
      (await events(user.userId)).map(
        (e: { result: string; reason: string }) => `${e.result}:${e.reason}`,
      ),
    ).toEqual([
      'failure:invalid_password',
      'failure:invalid_password',
      'locked:lockout_threshold',
      'locked:status_locked',
    ]);

    // The lock duration passes (the flag's TTL): the next login re-activates the account.
    await t.redis.client.del(`auth:lockout:state:${user.userId}`);
    await loginAs(t, good, ip).expect(200);
    const [after] = await t.dataSource.query('SELECT status FROM users WHERE id = $1', [
      user.userId,
    ]);
    expect(after.status).toBe('active');
    expect(await t.redis.client.exists(`auth:lockout:counter:${user.userId}`)).toBe(0);
  });

  it('throttles a network segment after AUTH_IP_LOCKOUT_THRESHOLD failures (429, no Retry-After)', async () => {
    const user = await createPasswordUser(t);
    for (const last of [1, 2, 3, 4]) {
      await loginAs(
        t,
        { email: uniqueEmail('ghost'), password: 'Whatever-123' },
        `203.0.113.${last}`,
      ).expect(401);
    }
    expect(await t.redis.client.get('auth:ip:block:203.0.113.0/24')).toBe('1');
    expect(await t.redis.client.exists('auth:ip:counter:203.0.113.0/24')).toBe(0);
    const blocked = await loginAs(
      t,
      { email: user.email, password: user.password },
      '203.0.113.200',
    ).expect(429);
    expect(blocked.body).toMatchObject({
      message: 'Too many login attempts from this network segment.',
      code: 'ip_throttled',
    });
    expect(blocked.headers['retry-after']).toBeUndefined();
    await loginAs(t, { email: user.email, password: user.password }, '203.0.114.1').expect(200);
  });

  it('resolves the tenant: bad id, multi-tenant, foreign tenant, no membership', async () => {
    const user = await createPasswordUser(t);
    const creds = { email: user.email, password: user.password };
    const badId = await loginAs(t, { ...creds, tenant_id: 'not-a-uuid' }).expect(401);
    expect(badId.body.message).toBe('Invalid tenant identifier supplied.');
    expect(badId.headers['www-authenticate']).toBe('Bearer');

    const other = await createPasswordUser(t);
    const foreign = await loginAs(t, { ...creds, tenant_id: other.tenantId }).expect(401);
    expect(foreign.body.message).toBe('User is not a member of the requested tenant.');
    expect(foreign.headers['www-authenticate']).toBe('Bearer');

    await t.dataSource.query(
      "INSERT INTO tenant_user_memberships (user_id, tenant_id, role) VALUES ($1, $2, 'member')",
      [user.userId, other.tenantId],
    );
    const ambiguous = await loginAs(t, creds).expect(400);
    expect(ambiguous.body.message).toBe('Tenant context required for multi-tenant users.');
    const chosen = await loginAs(t, { ...creds, tenant_id: other.tenantId.toUpperCase() }).expect(
      200,
    );
    expect(chosen.body.tenant_id).toBe(other.tenantId);
    expect(chosen.body.scopes).toEqual([
      'conversations:read',
      'conversations:write',
      'tools:read',
      'members:read',
    ]);

    await t.dataSource.query('DELETE FROM tenant_user_memberships WHERE user_id = $1', [
      user.userId,
    ]);
    const none = await loginAs(t, creds).expect(401);
    expect(none.body.message).toBe('User is not assigned to any tenant.');
  });

  it('refuses disabled and pending users with 403 and records the attempt', async () => {
    const disabled = await createPasswordUser(t, { status: 'disabled' });
    const d = await loginAs(t, { email: disabled.email, password: disabled.password }).expect(403);
    expect(d.body.message).toBe('User is disabled.');
    const pending = await createPasswordUser(t, { status: 'pending' });
    const p = await loginAs(t, { email: pending.email, password: pending.password }).expect(403);
    expect(p.body.message).toBe('User is pending.');
    expect(await events(pending.userId)).toEqual([
      expect.objectContaining({ result: 'failure', reason: 'pending' }),
    ]);
  });

  it('verifies a reference bcrypt hash and upgrades it to v3 on login', async () => {
    const user = await createPasswordUser(t);
    const legacyHash = bcrypt.hashSync(`${t.config.AUTH_PASSWORD_PEPPER}:Legacy-Password-77`, 4);
    await t.dataSource.query(
      "UPDATE users SET password_hash = $2, password_pepper_version = 'v2' WHERE id = $1",
      [user.userId, legacyHash],
    );
    await loginAs(t, { email: user.email, password: 'Legacy-Password-78' }, '198.51.5.1').expect(
      401,
    );
    await loginAs(t, { email: user.email, password: 'Legacy-Password-77' }, '198.51.5.1').expect(
      200,
    );
    const [row] = await t.dataSource.query(
      'SELECT password_hash, password_pepper_version FROM users WHERE id = $1',
      [user.userId],
    );
    expect(row.password_pepper_version).toBe('v3');
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    const history = await t.dataSource.query(
      'SELECT password_pepper_version FROM password_history WHERE user_id = $1 ORDER BY created_at',
      [user.userId],
    );
    expect(
      history.map((h: { password_pepper_version: string }) => h.password_pepper_version),
    ).toEqual(['v3', 'v3']);
    await loginAs(t, { email: user.email, password: 'Legacy-Password-77' }, '198.51.5.1').expect(
      200,
    );
  });

  it('validates the body (422) and treats SQL-looking and unicode input as data', async () => {
    const short = await loginAs(t, { email: 'a@example.test', password: 'short' }).expect(422);
    expect(short.body.details[0]).toMatchObject({
      type: 'string_too_short',
      loc: ['body', 'password'],
    });
    await loginAs(t, { email: 'not-an-email', password: 'long-enough-1' }).expect(422);
    await loginAs(t, {
      email: `${'a'.repeat(320)}@example.test`,
      password: 'long-enough-1',
    }).expect(422);
    await loginAs(t, { password: 'long-enough-1' }).expect(422);
    await loginAs(t, { email: 'a@example.test', password: 12345678 }).expect(422);
    await loginAs(
      t,
      { email: "o'brien+x@example.test", password: "' OR '1'='1'; DROP TABLE users; --" },
      '198.51.6.1',
    ).expect(401);
    await loginAs(
      t,
      { email: 'josé@exämple.test', password: 'пароль-密码-🔐' },
      '198.51.6.2',
    ).expect(401);
    const [{ count }] = await t.dataSource.query('SELECT count(*)::int AS count FROM users');
    expect(count).toBeGreaterThan(0);
  });

  it('exports login metrics by result', async () => {
    const text = (await t.http.get('/metrics').expect(200)).text;
    expect(text).toMatch(/auth_login_attempts_total\{result="success"\} [1-9]/);
    expect(text).toMatch(/auth_login_attempts_total\{result="invalid_credentials"\} [1-9]/);
    expect(text).toMatch(/auth_lockouts_total\{reason="user"\} [1-9]/);
    expect(text).toMatch(/auth_lockouts_total\{reason="ip"\} [1-9]/);
    expect(text).toMatch(/auth_login_latency_seconds_count [1-9]/);
  });
});
