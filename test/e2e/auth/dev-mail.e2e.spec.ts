import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { uniqueEmail } from '../../support/auth-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';
import { FAST_AUTH_ENV, STRONG_PASSWORD } from './auth-e2e-helpers';

const run = promisify(execFile);

/**
 * Issue 12 point 2: without SMTP and without a frontend, the log carries one readable line per
 * mail with a command that completes the flow against this API. The test runs that command in a
 * shell, pointed at the test server (PORT in config is what the line names; the test app itself
 * listens on a random port).
 */
describe('development mail without a frontend', () => {
  let t: TestApp;
  const port = '18123';

  beforeAll(async () => {
    t = await startTestApp({ env: { ...FAST_AUTH_ENV, PORT: port } });
  });

  afterAll(async () => {
    await t.close();
  });

  function mailLines(to: string): Record<string, unknown>[] {
    return t.logs.filter((line) => line.to === to && typeof line.message === 'string');
  }

  async function runNote(line: Record<string, unknown>): Promise<Record<string, unknown>> {
    const command = /curl .*$/.exec(String(line.message))![0];
    const pointed = command.replace(`http://127.0.0.1:${port}`, t.url);
    const { stdout } = await run('sh', ['-c', `${pointed} --silent --fail-with-body`]);
    return JSON.parse(stdout) as Record<string, unknown>;
  }

  it('register logs one line whose curl verifies the email', async () => {
    const email = uniqueEmail('devmail');
    await t.http
      .post('/api/v1/auth/register')
      .send({
        email,
        password: STRONG_PASSWORD,
        tenant_name: `Dev ${Date.now()}`,
        accept_terms: true,
      })
      .expect(201);

    const lines = mailLines(email);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ category: 'email_verification', level: 'info' });
    expect(lines[0].message).toMatch(
      /^Email "Verify your email address" to \S+ logged, not sent \(no SMTP_URL\)\. Verify without a frontend: curl -X POST http:\/\/127\.0\.0\.1:18123\/api\/v1\/auth\/email\/verify -H 'content-type: application\/json' -d '\{"token":"[0-9a-f]+\.[0-9a-f]+"\}'$/,
    );
    // No multi-line body in the info line (it is logged at debug only).
    expect(lines[0]).not.toHaveProperty('body');

    expect(await runNote(lines[0])).toMatchObject({ success: true });
    const [row] = await t.dataSource.query<{ email_verified_at: Date | null }[]>(
      'SELECT email_verified_at FROM users WHERE email = $1',
      [email],
    );
    expect(row.email_verified_at).not.toBeNull();
  });

  it('a password reset logs a curl that sets the new password once filled in', async () => {
    const email = uniqueEmail('devreset');
    await t.http
      .post('/api/v1/auth/register')
      .send({
        email,
        password: STRONG_PASSWORD,
        tenant_name: `Reset ${Date.now()}`,
        accept_terms: true,
      })
      .expect(201);
    await t.http.post('/api/v1/auth/password/forgot').send({ email }).expect(202);

    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && !line; i += 1) {
      line = mailLines(email).find((l) => l.category === 'password_reset');
      if (!line) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(line?.message).toContain(
      'Reset without a frontend: curl -X POST http://127.0.0.1:18123/api/v1/auth/password/confirm',
    );
    const newPassword = `${STRONG_PASSWORD}x9`;
    const filled = {
      ...line!,
      message: String(line!.message).replace('<new password>', newPassword),
    };
    expect(await runNote(filled)).toMatchObject({ success: true });
    await t.http.post('/api/v1/auth/token').send({ email, password: newPassword }).expect(200);
  });
});
