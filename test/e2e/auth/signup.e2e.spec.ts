import { AppException } from '../../../src/platform/http/app-exception';
import {
  SignupBillingRegistry,
  type SignupBillingPort,
  type SignupSubscriptionRequest,
} from '../../../src/modules/auth/signup/signup-billing.port';
import { startSmtpFake, type SmtpFake } from '../../support/fakes';
import { uniqueEmail } from '../../support/auth-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';
import { FAST_AUTH_ENV, STRONG_PASSWORD } from './auth-e2e-helpers';

describe('POST /api/v1/auth/register (signup)', () => {
  let t: TestApp;
  let smtp: SmtpFake;
  let ipCounter = 0;

  beforeAll(async () => {
    smtp = await startSmtpFake();
    t = await startTestApp({
      env: {
        ...FAST_AUTH_ENV,
        SMTP_URL: smtp.url,
        TRUSTED_PROXIES: '127.0.0.1',
        ALLOW_SIGNUP_TRIAL_OVERRIDE: 'true',
      },
    });
  });

  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const register = (body: Record<string, unknown>) =>
    t.http
      .post('/api/v1/auth/register')
      .set('X-Forwarded-For', `192.0.2.${++ipCounter}`)
      .send({ password: STRONG_PASSWORD, accept_terms: true, ...body });
  // Other suites share the run's database: count only rows this test could have written.
  const tenantsNamed = async (name: string): Promise<number> =>
    (
      await t.dataSource.query('SELECT count(*)::int AS n FROM tenant_accounts WHERE name = $1', [
        name,
      ])
    )[0].n;
  const usersWithEmail = async (email: string): Promise<number> =>
    (await t.dataSource.query('SELECT count(*)::int AS n FROM users WHERE email = $1', [email]))[0]
      .n;

  describe('without billing', () => {
    it('creates tenant, owner, profile, membership, history and a session, and mails a link', async () => {
      const email = uniqueEmail('owner');
      const response = await register({
        email,
        tenant_name: '  Zürich Café & Co  ',
        display_name: 'Zoë 🚀',
      }).expect(201);
      expect(response.body).toMatchObject({
        token_type: 'bearer',
        email_verified: false,
        tenant_slug: expect.stringMatching(/^z-rich-caf-co(-[0-9a-f]{4})?$/),
      });
      const [row] = await t.dataSource.query(
        `SELECT u.status, t.name, p.display_name, m.role
           FROM users u
           JOIN tenant_user_memberships m ON m.user_id = u.id
           JOIN tenant_accounts t ON t.id = m.tenant_id
           JOIN user_profiles p ON p.user_id = u.id
          WHERE u.id = $1`,
        [response.body.user_id],
      );
      expect(row).toEqual({
        status: 'active',
        name: 'Zürich Café & Co',
        display_name: 'Zoë 🚀',
        role: 'owner',
      });
      const [session] = await t.dataSource.query(
        'SELECT revoked_at FROM user_sessions WHERE id = $1',
        [response.body.session_id],
      );
      expect(session.revoked_at).toBeNull();
      await smtp.waitForMailTo(email);
      expect(
        t.logs.some((l) => l.event === 'signup.billing_skipped' && l.reason === 'billing_disabled'),
      ).toBe(true);
      expect(t.logs.some((l) => l.event === 'signup.completed' && l.plan_code === 'none')).toBe(
        true,
      );
    });

    it('keeps SQL-looking input as data and suffixes a taken slug', async () => {
      const name = "Robert'); DROP TABLE tenant_accounts;--";
      const first = await register({ email: uniqueEmail('sql'), tenant_name: name }).expect(201);
      const second = await register({
        email: uniqueEmail('sql'),
        tenant_name: name,
        display_name: "'; DELETE FROM users; --",
      }).expect(201);
      expect(first.body.tenant_slug).not.toBe(second.body.tenant_slug);
      expect(second.body.tenant_slug).toMatch(/^robert-drop-table-tenant-accounts(-[0-9a-f]{4})?$/);
      const names = await t.dataSource.query('SELECT name FROM tenant_accounts WHERE name = $1', [
        name,
      ]);
      expect(names).toHaveLength(2);
    });

    it('answers 409 for a taken email and writes nothing', async () => {
      const email = uniqueEmail('dup');
      await register({ email, tenant_name: 'First Co' }).expect(201);
      const second = `Second Co ${email}`;
      const dup = await register({ email: email.toUpperCase(), tenant_name: second }).expect(409);
      expect(dup.body).toMatchObject({ message: 'Email already registered.', code: 'email_taken' });
      expect(await tenantsNamed(second)).toBe(0);
      expect(await usersWithEmail(email)).toBe(1);
    });

    it.each([
      [
        { accept_terms: false },
        'accept_terms',
        'Value error, Terms of Service must be accepted to create an account.',
      ],
      [{ accept_terms: undefined }, 'accept_terms', 'Field required'],
      [
        { password: 'Password123456' },
        'password',
        'Value error, Password is too weak according to the current policy.',
      ],
      [{ password: 'Short-1' }, 'password', 'String should have at least 14 characters'],
      [{ tenant_name: 'x' }, 'tenant_name', 'String should have at least 2 characters'],
      [
        { tenant_name: 'x'.repeat(129) },
        'tenant_name',
        'String should have at most 128 characters',
      ],
      [
        { tenant_name: 'bad\u0000name' },
        'tenant_name',
        'Value error, Text must not contain NUL characters.',
      ],
      [
        { display_name: 'd'.repeat(129) },
        'display_name',
        'String should have at most 128 characters',
      ],
      [
        { email: `${'e'.repeat(310)}@example.test` },
        'email',
        'String should have at most 320 characters',
      ],
      [{ email: 'no-at-sign' }, 'email', 'value is not a valid email address'],
      [{ trial_days: 366 }, 'trial_days', 'Input should be less than or equal to 365'],
      [
        { trial_days: 'ten' },
        'trial_days',
        'Input should be a valid integer, unable to parse string as an integer',
      ],
    ])('rejects %j with a 422 on %s', async (override, field, msg) => {
      const email = uniqueEmail('invalid');
      const response = await register({
        email,
        tenant_name: 'Valid Name',
        ...override,
      }).expect(422);
      expect(response.body).toMatchObject({ error: 'ValidationError', code: 'validation_error' });
      expect(response.body.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ loc: ['body', field], msg })]),
      );
      expect(await usersWithEmail(email)).toBe(0);
    });

    it('uses the email as a password hint at validation time', async () => {
      const email = 'zorbulon.quexwick@example.test';
      const response = await register({
        email,
        tenant_name: 'Hint Co',
        password: 'Zorbulon.Quexwick@example.test1',
      }).expect(422);
      expect(response.body.details[0].msg).toBe(
        'Value error, Password is too weak according to the current policy.',
      );
    });
  });

  describe('with the billing port registered', () => {
    const calls: SignupSubscriptionRequest[] = [];
    let failNext: AppException | null = null;

    beforeAll(() => {
      const port: SignupBillingPort = {
        planTrialDays: async (planCode) => (planCode === 'starter' ? 21 : null),
        startSignupSubscription: async (request) => {
          calls.push(request);
          if (failNext) {
            const error = failNext;
            failNext = null;
            throw error;
          }
        },
      };
      t.app.get(SignupBillingRegistry).register(port);
    });

    it('starts the subscription with the plan and the capped trial', async () => {
      const email = uniqueEmail('billed');
      const response = await register({ email, tenant_name: 'Billed Co', trial_days: 60 }).expect(
        201,
      );
      expect(calls.at(-1)).toEqual({
        tenantId: response.body.tenant_id,
        planCode: 'starter',
        billingEmail: email,
        trialDays: 21,
      });
      await register({
        email: uniqueEmail('billed'),
        tenant_name: 'Short Trial',
        trial_days: 5,
      }).expect(201);
      expect(calls.at(-1)?.trialDays).toBe(5);
    });

    it('undoes tenant and user when billing fails, so a retry succeeds', async () => {
      const email = uniqueEmail('retry');
      const tenantName = `Retry Co ${email}`;
      failNext = new AppException(502, 'Payment provider unavailable.', {
        code: 'payment_provider_error',
      });
      const failed = await register({ email, tenant_name: tenantName }).expect(502);
      expect(failed.body.message).toBe('Payment provider unavailable.');
      expect(await tenantsNamed(tenantName)).toBe(0);
      expect(await usersWithEmail(email)).toBe(0);

      failNext = new AppException(404, 'Unknown billing plan.', { code: 'plan_not_found' });
      await register({ email, tenant_name: tenantName, plan_code: 'platinum' }).expect(404);
      expect(calls.at(-1)?.trialDays).toBe(14); // unknown plan: SIGNUP_DEFAULT_TRIAL_DAYS

      const retried = await register({ email, tenant_name: tenantName }).expect(201);
      expect(await tenantsNamed(tenantName)).toBe(1);
      expect(retried.body.tenant_slug).toMatch(/^retry-co/);
    });
  });
});

describe('signup switches', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      env: { ...FAST_AUTH_ENV, ALLOW_PUBLIC_SIGNUP: 'false', SIGNUP_RATE_LIMIT_PER_HOUR: '1' },
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it('applies the signup quota before the disabled-signup check', async () => {
    const body = {
      email: uniqueEmail('closed'),
      password: STRONG_PASSWORD,
      tenant_name: 'Closed Co',
      accept_terms: true,
    };
    const disabled = await t.http.post('/api/v1/auth/register').send(body).expect(403);
    expect(disabled.body).toMatchObject({
      message: 'Public signup is disabled.',
      code: 'signup_disabled',
    });
    const limited = await t.http.post('/api/v1/auth/register').send(body).expect(429);
    expect(limited.body.message).toMatch(
      /^Rate limit exceeded \(signup_per_hour\)\. Retry after \d+s\.$/,
    );
    expect(limited.headers['retry-after']).toBeDefined();
    expect(await t.redis.client.get('rate-limit:quota:signup_per_hour:127.0.0.1')).toBe('2');
  });
});
