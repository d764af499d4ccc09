import { createHash } from 'node:crypto';
import { AuthMetrics } from '../../../src/modules/auth/auth.metrics';
import { AccountUnlockService } from '../../../src/modules/auth/email/account-unlock.service';
import { AccountGate } from '../../../src/modules/auth/gate/account-gate.service';
import { LoginEventRepository } from '../../../src/modules/auth/gate/login-event.repository';
import { LoginThrottle } from '../../../src/modules/auth/gate/login-throttle.service';
import { LoginService } from '../../../src/modules/auth/login/login.service';
import { PasswordCredentials } from '../../../src/modules/auth/passwords/password-credentials.service';
import { PasswordHasher } from '../../../src/modules/auth/passwords/password-hasher';
import type { ClientInfo } from '../../../src/modules/auth/client/client-info';
import {
  SessionIssuer,
  type IssuedSession,
} from '../../../src/modules/auth/sessions/session-issuer.service';
import { SigningUnavailableError } from '../../../src/modules/auth/tokens/token.service';
import { MembershipRepository } from '../../../src/modules/auth/users/membership.repository';
import { UserRepository, type UserRecord } from '../../../src/modules/auth/users/user.repository';
import { RedisService } from '../../../src/platform/redis/redis.service';
import { metricValue, newTestService } from '../../support/service-test';

const USER_ID = '6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f';
const TENANT_ID = '0a7e9c1d-2b3f-4a5c-8d6e-7f8091a2b3c4';
const OTHER_TENANT_ID = '9d8c7b6a-5f4e-4d3c-b2a1-0f9e8d7c6b5a';
const CLIENT: ClientInfo = { ip: '203.0.113.7', userAgent: 'jest' };
const ISSUED = { userId: USER_ID, tenantId: TENANT_ID } as IssuedSession;

const user = (fields: Partial<UserRecord> = {}): UserRecord => ({
  id: USER_ID,
  email: 'ada@example.com',
  passwordHash: '$argon2id$stored',
  passwordVersion: 'v2',
  status: 'active',
  emailVerifiedAt: null,
  ...fields,
});

/** Resolves with the HttpException the promise rejected with (fails the test if it resolved). */
async function failureOf(promise: Promise<unknown>) {
  const error = (await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (caught: unknown) => caught,
  )) as { getStatus(): number; code: string; message: string; headers: Record<string, string> };
  return {
    status: error.getStatus(),
    code: error.code,
    message: error.message,
    headers: error.headers,
  };
}

describe('LoginService: password login and lockout', () => {
  const setup = (env: Record<string, string> = {}) => {
    // The lock itself is AccountUnlockService's: a real one, on the same repository mocks.
    const unlocks = newTestService(AccountUnlockService);
    const shared = [UserRepository, LoginThrottle, AccountGate].map((token) => ({
      provide: token,
      useValue: unlocks.mocks.get(token as never),
    }));
    const { sut, mocks } = newTestService(LoginService, {
      env: { AUTH_LOCKOUT_THRESHOLD: '3', ...env },
      providers: [...shared, { provide: AccountUnlockService, useValue: unlocks.sut }],
    });
    const users = mocks.get(UserRepository);
    const hasher = mocks.get(PasswordHasher);
    const throttle = mocks.get(LoginThrottle);
    const gate = mocks.get(AccountGate);
    const issuer = mocks.get(SessionIssuer);
    const credentials = mocks.get(PasswordCredentials);
    const metrics = mocks.value(AuthMetrics);
    throttle.ipBlocked.mockResolvedValue(false);
    users.findByEmail.mockResolvedValue(user());
    gate.resolveMembership.mockResolvedValue({ tenantId: TENANT_ID, role: 'owner' });
    hasher.verify.mockResolvedValue({ valid: true, needsRehash: false });
    issuer.issue.mockResolvedValue(ISSUED);
    throttle.registerUserFailure.mockResolvedValue(1);
    return { sut, users, hasher, throttle, gate, issuer, credentials, metrics };
  };
  const login = { email: '  Ada@Example.COM ', password: 'correct horse' };

  it('opens a session on the right password: clears the lockout, audits, issues in order', async () => {
    const t = setup();
    await expect(t.sut.login(login, CLIENT)).resolves.toBe(ISSUED);

    expect(t.users.findByEmail).toHaveBeenCalledWith('ada@example.com');
    expect(t.gate.resolveMembership).toHaveBeenCalledWith(USER_ID, null, true);
    expect(t.gate.assertCanSignIn).toHaveBeenCalledWith(
      expect.objectContaining({ id: USER_ID }),
      TENANT_ID,
      CLIENT,
    );
    expect(t.hasher.verify).toHaveBeenCalledWith('correct horse', '$argon2id$stored');
    expect(t.throttle.clearUser).toHaveBeenCalledWith(USER_ID);
    expect(t.gate.recordEvent).toHaveBeenCalledWith(USER_ID, TENANT_ID, CLIENT, 'success', 'login');
    expect(t.issuer.issue).toHaveBeenCalledWith(
      {
        userId: USER_ID,
        tenantId: TENANT_ID,
        role: 'owner',
        emailVerified: false,
        sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
      CLIENT,
      'login',
    );
    // The lockout is cleared before the session is issued.
    expect(t.throttle.clearUser.mock.invocationCallOrder[0]).toBeLessThan(
      t.issuer.issue.mock.invocationCallOrder[0],
    );
    expect(t.credentials.upgradeHash).not.toHaveBeenCalled();
    expect(t.throttle.registerUserFailure).not.toHaveBeenCalled();
    expect(await metricValue(t.metrics.loginAttempts, { result: 'success' })).toBe(1);
    expect(await metricValue(t.metrics.loginLatency)).toBe(1);
  });

  it('rehashes a legacy hash after a successful check, and carries email verification', async () => {
    const t = setup();
    t.users.findByEmail.mockResolvedValue(user({ emailVerifiedAt: new Date('2024-01-01') }));
    t.hasher.verify.mockResolvedValue({ valid: true, needsRehash: true });
    await t.sut.login(login, CLIENT);
    expect(t.credentials.upgradeHash).toHaveBeenCalledWith(USER_ID, 'correct horse');
    expect(t.issuer.issue.mock.calls[0][0].emailVerified).toBe(true);
  });

  it('canonicalises the requested tenant and treats "" as none', async () => {
    const t = setup();
    await t.sut.login({ ...login, tenantId: ` ${TENANT_ID.toUpperCase()} ` }, CLIENT);
    expect(t.gate.resolveMembership).toHaveBeenLastCalledWith(USER_ID, TENANT_ID, true);
    await t.sut.login({ ...login, tenantId: '' }, CLIENT);
    expect(t.gate.resolveMembership).toHaveBeenLastCalledWith(USER_ID, null, true);
  });

  it('refuses a malformed tenant id before the IP throttle or any lookup', async () => {
    const t = setup();
    expect(await failureOf(t.sut.login({ ...login, tenantId: 'acme' }, CLIENT))).toEqual({
      status: 401,
      code: 'invalid_tenant',
      message: 'Invalid tenant identifier supplied.',
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
    expect(t.throttle.ipBlocked).not.toHaveBeenCalled();
    expect(t.users.findByEmail).not.toHaveBeenCalled();
  });

  it('answers 429 for a blocked IP without looking the user up', async () => {
    const t = setup();
    t.throttle.ipBlocked.mockResolvedValue(true);
    expect(await failureOf(t.sut.login(login, CLIENT))).toMatchObject({
      status: 429,
      code: 'ip_throttled',
    });
    expect(t.throttle.ipBlocked).toHaveBeenCalledWith('203.0.113.7');
    expect(t.users.findByEmail).not.toHaveBeenCalled();
    expect(await metricValue(t.metrics.loginAttempts, { result: 'ip_throttled' })).toBe(1);
  });

  it('answers an unknown email exactly like a wrong password, after a dummy verification', async () => {
    const t = setup();
    t.users.findByEmail.mockResolvedValue(null);
    expect(await failureOf(t.sut.login(login, CLIENT))).toEqual({
      status: 401,
      code: 'invalid_credentials',
      message: 'Invalid email or password.',
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
    expect(t.hasher.verifyDummy).toHaveBeenCalledWith('correct horse');
    expect(t.throttle.registerIpFailure).toHaveBeenCalledWith('203.0.113.7');
    // No user, so no per-user counter, no membership, no audit row.
    expect(t.throttle.registerUserFailure).not.toHaveBeenCalled();
    expect(t.gate.resolveMembership).not.toHaveBeenCalled();
    expect(t.gate.recordEvent).not.toHaveBeenCalled();
    expect(t.hasher.verify).not.toHaveBeenCalled();
  });

  it('counts a wrong password below the threshold: IP and user counters, audit, 401', async () => {
    const t = setup();
    t.hasher.verify.mockResolvedValue({ valid: false, needsRehash: false });
    t.throttle.registerUserFailure.mockResolvedValue(2);
    expect(await failureOf(t.sut.login(login, CLIENT))).toMatchObject({
      status: 401,
      code: 'invalid_credentials',
    });
    expect(t.throttle.registerIpFailure).toHaveBeenCalledWith('203.0.113.7');
    expect(t.throttle.registerUserFailure).toHaveBeenCalledWith(USER_ID);
    expect(t.gate.recordEvent).toHaveBeenCalledTimes(1);
    expect(t.gate.recordEvent).toHaveBeenCalledWith(
      USER_ID,
      TENANT_ID,
      CLIENT,
      'failure',
      'invalid_password',
    );
    expect(t.users.setStatus).not.toHaveBeenCalled();
    expect(t.throttle.lockUser).not.toHaveBeenCalled();
    expect(t.throttle.clearUser).not.toHaveBeenCalled();
    expect(t.issuer.issue).not.toHaveBeenCalled();
    expect(await metricValue(t.metrics.loginAttempts, { result: 'invalid_credentials' })).toBe(1);
  });

  it.each([3, 4])(
    'locks the account when the failure count reaches the threshold (%i of 3)',
    async (count) => {
      const t = setup();
      t.hasher.verify.mockResolvedValue({ valid: false, needsRehash: false });
      t.throttle.registerUserFailure.mockResolvedValue(count);
      expect(await failureOf(t.sut.login(login, CLIENT))).toMatchObject({
        status: 423,
        code: 'account_locked',
        message: 'Account locked due to repeated failures.',
      });
      expect(t.users.setStatus).toHaveBeenCalledWith(USER_ID, 'locked');
      expect(t.throttle.lockUser).toHaveBeenCalledWith(USER_ID);
      expect(t.gate.recordEvent.mock.calls.map((call) => [call[3], call[4]])).toEqual([
        ['failure', 'invalid_password'],
        ['locked', 'lockout_threshold'],
      ]);
      expect(await metricValue(t.metrics.loginAttempts, { result: 'account_locked' })).toBe(1);
    },
  );

  it('reads the threshold from AUTH_LOCKOUT_THRESHOLD', async () => {
    const t = setup({ AUTH_LOCKOUT_THRESHOLD: '10' });
    t.hasher.verify.mockResolvedValue({ valid: false, needsRehash: false });
    t.throttle.registerUserFailure.mockResolvedValue(9);
    expect((await failureOf(t.sut.login(login, CLIENT))).code).toBe('invalid_credentials');
    t.throttle.registerUserFailure.mockResolvedValue(10);
    expect((await failureOf(t.sut.login(login, CLIENT))).code).toBe('account_locked');
  });

  it('refuses an account the gate refuses whatever the password, counting and changing nothing', async () => {
    // The hash runs alongside the account checks (equal timing for known and unknown emails),
    // but its result is never used for a refused account.
    for (const valid of [false, true]) {
      const t = setup();
      const refusal = new Error('gate says no');
      t.gate.assertCanSignIn.mockRejectedValue(refusal);
      t.hasher.verify.mockResolvedValue({ valid, needsRehash: true });
      await expect(t.sut.login(login, CLIENT)).rejects.toBe(refusal);
      expect(t.throttle.registerUserFailure).not.toHaveBeenCalled();
      expect(t.gate.recordEvent).not.toHaveBeenCalled();
      expect(t.credentials.upgradeHash).not.toHaveBeenCalled();
      expect(t.issuer.issue).not.toHaveBeenCalled();
    }
  });

  it('counts a refused login once in the metrics', async () => {
    const t = setup();
    const refusal = new Error('gate says no');
    t.gate.assertCanSignIn.mockRejectedValue(refusal);
    await expect(t.sut.login(login, CLIENT)).rejects.toBe(refusal);
    expect(await metricValue(t.metrics.loginAttempts, { result: 'error' })).toBe(1);
  });

  it('maps a missing signing key to 500 signing_unavailable', async () => {
    const t = setup();
    t.issuer.issue.mockRejectedValue(new SigningUnavailableError());
    expect(await failureOf(t.sut.login(login, CLIENT))).toMatchObject({
      status: 500,
      code: 'signing_unavailable',
    });
  });
});

describe('AccountGate: membership choice and account state', () => {
  const setup = () => {
    const { sut, mocks } = newTestService(AccountGate);
    return {
      sut,
      config: mocks.config,
      memberships: mocks.get(MembershipRepository),
      users: mocks.get(UserRepository),
      throttle: mocks.get(LoginThrottle),
      events: mocks.get(LoginEventRepository),
    };
  };
  const one = { tenantId: TENANT_ID, role: 'owner' };
  const two = { tenantId: OTHER_TENANT_ID, role: 'member' };

  it('uses the only membership, or the requested one', async () => {
    const t = setup();
    t.memberships.listForUser.mockResolvedValue([one]);
    await expect(t.sut.resolveMembership(USER_ID, null, true)).resolves.toBe(one);
    t.memberships.listForUser.mockResolvedValue([one, two]);
    await expect(t.sut.resolveMembership(USER_ID, OTHER_TENANT_ID, true)).resolves.toBe(two);
    expect(t.memberships.listForUser).toHaveBeenCalledWith(USER_ID);
  });

  it('asks for a tenant when the user has several and named none (400)', async () => {
    const t = setup();
    t.memberships.listForUser.mockResolvedValue([one, two]);
    expect(await failureOf(t.sut.resolveMembership(USER_ID, null, true))).toMatchObject({
      status: 400,
      code: 'tenant_required',
    });
  });

  it('refuses a user without memberships or outside the requested tenant (401, bearer only at login)', async () => {
    const t = setup();
    t.memberships.listForUser.mockResolvedValue([]);
    expect(await failureOf(t.sut.resolveMembership(USER_ID, null, true))).toEqual({
      status: 401,
      code: 'tenant_membership_missing',
      message: 'User is not assigned to any tenant.',
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
    t.memberships.listForUser.mockResolvedValue([one]);
    expect(await failureOf(t.sut.resolveMembership(USER_ID, OTHER_TENANT_ID, false))).toEqual({
      status: 401,
      code: 'tenant_membership_missing',
      message: 'User is not a member of the requested tenant.',
      headers: {},
    });
  });

  it.each([
    ['disabled', 403, 'account_disabled'],
    ['pending', 403, 'account_pending'],
  ] as const)('refuses a %s account and audits it', async (status, httpStatus, code) => {
    const t = setup();
    const refused = await failureOf(t.sut.assertCanSignIn(user({ status }), TENANT_ID, CLIENT));
    expect(refused).toMatchObject({ status: httpStatus, code });
    expect(t.events.record).toHaveBeenCalledWith({
      userId: USER_ID,
      tenantId: TENANT_ID,
      ipHash: createHash('sha256').update(`${t.config.sessionIpHashSalt}203.0.113.7`).digest('hex'),
      userAgent: 'jest',
      result: 'failure',
      reason: status,
    });
    expect(t.throttle.isUserLocked).not.toHaveBeenCalled();
  });

  it('keeps a locked account locked while the lock flag lives (423)', async () => {
    const t = setup();
    t.throttle.isUserLocked.mockResolvedValue(true);
    const locked = user({ status: 'locked' });
    expect(await failureOf(t.sut.assertCanSignIn(locked, TENANT_ID, CLIENT))).toMatchObject({
      status: 423,
      code: 'account_locked',
      message: 'Account is locked.',
    });
    expect(t.throttle.isUserLocked).toHaveBeenCalledWith(USER_ID);
    expect(t.events.record).toHaveBeenCalledWith(
      expect.objectContaining({ result: 'locked', reason: 'status_locked' }),
    );
    expect(t.users.setStatus).not.toHaveBeenCalled();
    expect(locked.status).toBe('locked');
  });

  it('re-activates a locked account whose lock expired, lazily, without an audit row', async () => {
    const t = setup();
    t.throttle.isUserLocked.mockResolvedValue(false);
    const locked = user({ status: 'locked' });
    await expect(t.sut.assertCanSignIn(locked, TENANT_ID, CLIENT)).resolves.toBeUndefined();
    expect(t.users.setStatus).toHaveBeenCalledWith(USER_ID, 'active');
    expect(t.throttle.clearUser).toHaveBeenCalledWith(USER_ID);
    expect(locked.status).toBe('active');
    expect(t.events.record).not.toHaveBeenCalled();
  });

  it('lets an active account through without touching Redis or the audit log', async () => {
    const t = setup();
    await t.sut.assertCanSignIn(user(), TENANT_ID, { ip: null, userAgent: null });
    expect(t.throttle.isUserLocked).not.toHaveBeenCalled();
    expect(t.events.record).not.toHaveBeenCalled();
    await t.sut.recordEvent(USER_ID, null, { ip: null, userAgent: null }, 'success', 'login');
    expect(t.events.record).toHaveBeenCalledWith(
      expect.objectContaining({ tenantId: null, ipHash: 'unknown', userAgent: null }),
    );
  });
});

describe('LoginThrottle: Redis counters, lock TTL and the IP block', () => {
  const setup = (env: Record<string, string> = {}) => {
    const exec = jest.fn().mockResolvedValue([]);
    const multi = { set: jest.fn(), del: jest.fn(), exec };
    multi.set.mockReturnValue(multi);
    multi.del.mockReturnValue(multi);
    const client = {
      eval: jest.fn(),
      exists: jest.fn().mockResolvedValue(0),
      set: jest.fn().mockResolvedValue('OK'),
      del: jest.fn().mockResolvedValue(1),
      multi: jest.fn().mockReturnValue(multi),
    };
    const { sut, mocks } = newTestService(LoginThrottle, {
      env,
      providers: [{ provide: RedisService, useValue: { client } }],
    });
    return { sut, client, multi, metrics: mocks.value(AuthMetrics) };
  };

  it('counts user failures in a sliding window of AUTH_LOCKOUT_WINDOW_MINUTES', async () => {
    const t = setup({ AUTH_LOCKOUT_WINDOW_MINUTES: '15' });
    t.client.eval.mockResolvedValue('4');
    await expect(t.sut.registerUserFailure(USER_ID)).resolves.toBe(4);
    expect(t.client.eval).toHaveBeenCalledWith(
      expect.stringContaining('PEXPIRE'),
      1,
      `auth:lockout:counter:${USER_ID}`,
      15 * 60_000,
    );
  });

  it('sets the lock flag with a TTL of AUTH_LOCKOUT_DURATION_MINUTES, so the lock expires', async () => {
    const t = setup({ AUTH_LOCKOUT_DURATION_MINUTES: '0.5' });
    await t.sut.lockUser(USER_ID);
    expect(t.client.set).toHaveBeenCalledWith(`auth:lockout:state:${USER_ID}`, '1', 'PX', 30_000);
    expect(await metricValue(t.metrics.lockouts, { reason: 'user' })).toBe(1);

    t.client.exists.mockResolvedValueOnce(1).mockResolvedValueOnce(0);
    await expect(t.sut.isUserLocked(USER_ID)).resolves.toBe(true);
    await expect(t.sut.isUserLocked(USER_ID)).resolves.toBe(false);
    expect(t.client.exists).toHaveBeenCalledWith(`auth:lockout:state:${USER_ID}`);

    await t.sut.clearUser(USER_ID);
    expect(t.client.del).toHaveBeenCalledWith(
      `auth:lockout:counter:${USER_ID}`,
      `auth:lockout:state:${USER_ID}`,
    );
  });

  it('checks the IP and its /24; an unknown IP is never throttled', async () => {
    const t = setup();
    await expect(t.sut.ipBlocked(null)).resolves.toBe(false);
    expect(t.client.exists).not.toHaveBeenCalled();
    t.client.exists.mockResolvedValue(1);
    await expect(t.sut.ipBlocked('203.0.113.7')).resolves.toBe(true);
    expect(t.client.exists).toHaveBeenCalledWith(
      'auth:ip:block:203.0.113.7',
      'auth:ip:block:203.0.113.0/24',
    );
  });

  it('blocks an IP token once its fixed-window count reaches AUTH_IP_LOCKOUT_THRESHOLD', async () => {
    const t = setup({
      AUTH_IP_LOCKOUT_THRESHOLD: '5',
      AUTH_IP_LOCKOUT_WINDOW_MINUTES: '2',
      AUTH_IP_LOCKOUT_DURATION_MINUTES: '3',
    });
    // The address itself is at 5 (blocked), its /24 only at 4.
    t.client.eval.mockResolvedValueOnce(5).mockResolvedValueOnce(4);
    await t.sut.registerIpFailure('203.0.113.7');
    expect(t.client.eval.mock.calls.map((call) => call.slice(1))).toEqual([
      [1, 'auth:ip:counter:203.0.113.7', 120],
      [1, 'auth:ip:counter:203.0.113.0/24', 120],
    ]);
    expect(t.multi.set).toHaveBeenCalledTimes(1);
    expect(t.multi.set).toHaveBeenCalledWith('auth:ip:block:203.0.113.7', '1', 'EX', 180);
    expect(t.multi.del).toHaveBeenCalledWith('auth:ip:counter:203.0.113.7');
    expect(t.multi.exec).toHaveBeenCalledTimes(1);
    expect(await metricValue(t.metrics.lockouts, { reason: 'ip' })).toBe(1);
  });
});
