import { createTestUser, uniqueEmail, type TestUser } from '../../support/auth-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';
import { FAST_AUTH_ENV, STRONG_PASSWORD } from '../auth/auth-e2e-helpers';

/**
 * Issue 10, defect B: a 422 never echoes a submitted secret (password, current_password,
 * new_password, refresh_token, token, signature, at any depth). The issue keeps its `input`
 * key, holding "[redacted]" (docs/text-input.md).
 */
const REDACTED = '[redacted]';

interface Issue {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

describe('secrets in validation errors', () => {
  let t: TestApp;
  let user: TestUser;
  let ipCounter = 0;

  beforeAll(async () => {
    t = await startTestApp({ env: { ...FAST_AUTH_ENV, TRUSTED_PROXIES: '127.0.0.1' } });
    user = await createTestUser(t, { role: 'owner' });
  });

  afterAll(async () => {
    await t.close();
  });

  const post = (path: string, body: unknown, authorization?: string) => {
    const request = t.http.post(path).set('X-Forwarded-For', `198.51.100.${++ipCounter}`);
    if (authorization) request.set('Authorization', authorization);
    return request.send(body as object);
  };

  /** The 422 envelope, with the secret nowhere in the response bytes. */
  async function rejected(
    path: string,
    body: unknown,
    secret: string,
    authorization?: string,
  ): Promise<Issue[]> {
    const response = await post(path, body, authorization).expect(422);
    expect(response.body).toMatchObject({
      success: false,
      error: 'ValidationError',
      message: 'Request validation failed.',
      code: 'validation_error',
    });
    expect(response.text).not.toContain(secret);
    return response.body.details as Issue[];
  }

  it('register with a weak password: the password issue says why, without the password', async () => {
    const email = uniqueEmail('weak');
    const secret = 'Password123456';
    const details = await rejected(
      '/api/v1/auth/register',
      { email, password: secret, tenant_name: 'Weak Co', accept_terms: true },
      secret,
    );
    expect(details).toEqual([
      {
        type: 'value_error',
        loc: ['body', 'password'],
        msg: 'Value error, Password is too weak according to the current policy.',
        input: REDACTED,
        ctx: { error: 'Password is too weak according to the current policy.' },
      },
    ]);
    const users = await t.dataSource.query('SELECT 1 FROM users WHERE email = $1', [email]);
    expect(users).toHaveLength(0);
  });

  it('register with a short password keeps the pydantic issue shape', async () => {
    const details = await rejected(
      '/api/v1/auth/register',
      {
        email: uniqueEmail('short'),
        password: 'Sh0rt!x',
        tenant_name: 'Short Co',
        accept_terms: true,
      },
      'Sh0rt!x',
    );
    expect(details).toEqual([
      {
        type: 'string_too_short',
        loc: ['body', 'password'],
        msg: 'String should have at least 14 characters',
        input: REDACTED,
        ctx: { min_length: 14 },
      },
    ]);
  });

  it("a missing field's input (the whole body) has the password redacted and the rest kept", async () => {
    const secret = STRONG_PASSWORD;
    const details = await rejected(
      '/api/v1/auth/register',
      { password: secret, tenant_name: 'Missing Co', accept_terms: true },
      secret,
    );
    expect(details).toEqual([
      {
        type: 'missing',
        loc: ['body', 'email'],
        msg: 'Field required',
        input: { password: REDACTED, tenant_name: 'Missing Co', accept_terms: true },
      },
    ]);
  });

  it('a NUL in a password is refused without echoing the password', async () => {
    const secret = 'Violet-Harbor\u0000-Lantern-42';
    const details = await rejected(
      '/api/v1/auth/register',
      { email: uniqueEmail('nul'), password: secret, tenant_name: 'Nul Co', accept_terms: true },
      'Violet-Harbor',
    );
    expect(details).toEqual([
      expect.objectContaining({ type: 'value_error', loc: ['body', 'password'], input: REDACTED }),
    ]);
  });

  it.each([
    ['login', '/api/v1/auth/token', { email: 'who@example.test', password: 'short1' }, 'password'],
    ['refresh', '/api/v1/auth/refresh', { refresh_token: 'r'.repeat(8193) }, 'refresh_token'],
    ['logout', '/api/v1/auth/logout', { refresh_token: 12345678 }, 'refresh_token'],
    ['email verification', '/api/v1/auth/email/verify', { token: 't'.repeat(513) }, 'token'],
    [
      'reset confirmation',
      '/api/v1/auth/password/confirm',
      { token: 'reset-token-value', new_password: 'tiny-secret' },
      'new_password',
    ],
    [
      'service-account token exchange',
      '/api/v1/auth/service-accounts/token',
      { refresh_token: ['sa-refresh-secret'] },
      'refresh_token',
    ],
  ])('%s (%s): the secret field is redacted', async (label, path, body, field) => {
    const secret = String((body as Record<string, unknown>)[field]).slice(0, 12);
    // Logout needs the caller's token: authentication comes before body validation.
    const details = await rejected(
      path,
      body,
      secret,
      label === 'logout' ? user.authorization : undefined,
    );
    const issues = details.filter((issue) => issue.loc[1] === field);
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) expect(issue.input).toBe(REDACTED);
  });

  it('password change: both current_password and new_password are redacted', async () => {
    const details = await rejected(
      '/api/v1/auth/password/change',
      { current_password: 'cur-pw', new_password: 'new-pw-tiny' },
      'pw',
      user.authorization,
    );
    expect(details.map((issue) => [issue.loc, issue.input])).toEqual([
      [['body', 'current_password'], REDACTED],
      [['body', 'new_password'], REDACTED],
    ]);
  });

  it('secrets nested in free-form objects are redacted in a parent input', async () => {
    const details = await rejected(
      '/api/v1/chat',
      {
        context: {
          token: 'ctx-token-secret',
          nested: [{ signature: 'sig-secret', password: 'pw-secret', note: 'kept' }],
        },
      },
      'secret',
      user.authorization,
    );
    expect(details).toEqual([
      {
        type: 'missing',
        loc: ['body', 'message'],
        msg: 'Field required',
        input: {
          context: {
            token: REDACTED,
            nested: [{ signature: REDACTED, password: REDACTED, note: 'kept' }],
          },
        },
      },
    ]);
  });

  it('malformed JSON: the decoder message quotes no part of the body', async () => {
    const response = await t.http
      .post('/api/v1/auth/token')
      .set('Content-Type', 'application/json')
      .send('{"email": "a@example.test", "password": hunter2-secret}')
      .expect(422);
    expect(response.text).not.toContain('hunter2');
    expect(response.body.details).toEqual([
      {
        type: 'json_invalid',
        loc: ['body', 0],
        msg: 'JSON decode error',
        input: {},
        ctx: { error: 'Unexpected token in JSON' },
      },
    ]);
  });

  it('non-secret fields are still echoed', async () => {
    const details = await rejected(
      '/api/v1/auth/token',
      { email: 'not-an-email', password: 'long-enough-secret' },
      'long-enough-secret',
    );
    expect(details).toEqual([
      expect.objectContaining({ loc: ['body', 'email'], input: 'not-an-email' }),
    ]);
  });
});
