import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PasswordPrompt } from '../../../src/cli/commands/users/password-prompt';
import { startTestApp, usingRealPostgres, type TestApp } from '../../support/test-app';
import { cliEnv, runCommand, tempDir, type Env } from './cli-harness';

const STRONG = 'Correct-Horse-Battery-9';

interface UserState {
  status: string;
  email_verified_at: Date | null;
  password_pepper_version: string;
  role: string;
  slug: string;
  history: number;
}

// The API and the CLI must share one database: embedded Postgres is per process (CI runs the
// real one, where this suite always runs).
const describeWithSharedDatabase = usingRealPostgres() ? describe : describe.skip;

describeWithSharedDatabase('CLI: users seed', () => {
  let api: TestApp;
  let dir: ReturnType<typeof tempDir>;
  let env: Env;
  let db: DataSource;

  const state = async (email: string): Promise<UserState[]> =>
    db.query<UserState[]>(
      `SELECT u.status, u.email_verified_at, u.password_pepper_version, m.role, t.slug,
              (SELECT count(*)::int FROM password_history h WHERE h.user_id = u.id) AS history
         FROM users u
         JOIN tenant_user_memberships m ON m.user_id = u.id
         JOIN tenant_accounts t ON t.id = m.tenant_id
        WHERE u.email = $1 ORDER BY t.slug`,
      [email],
    );

  beforeAll(async () => {
    // The API shares the CLI's database: the seeded user must be able to log in.
    api = await startTestApp();
    db = api.dataSource;
    dir = tempDir('aa-cli-users-');
    env = cliEnv(dir.path);
  });
  afterAll(async () => {
    await api.close();
    dir.remove();
  });

  it('creates tenant, user, membership and history; the user can log in', async () => {
    const email = `Seed-${randomUUID().slice(0, 8)}@Example.test`;
    const slug = `seed-${randomUUID().slice(0, 8)}`;
    const result = await runCommand(
      [
        'users',
        'seed',
        '--email',
        email,
        '--password',
        STRONG,
        '--tenant-slug',
        slug,
        '--tenant-name',
        'Seed Co',
        '--role',
        'owner',
        '--verified',
        '--output',
        'json',
      ],
      env,
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toMatchObject({
      created: true,
      email: email.toLowerCase(),
      tenant_slug: slug,
      tenant_created: true,
      role: 'owner',
      status: 'active',
      email_verified: true,
    });
    const [row] = await state(email.toLowerCase());
    expect(row).toMatchObject({ status: 'active', role: 'owner', slug, history: 1 });
    expect(row.email_verified_at).not.toBeNull();
    const login = await api.http
      .post('/api/v1/auth/token')
      .send({ email, password: STRONG })
      .expect(200);
    expect(login.body.access_token).toEqual(expect.any(String));
  });

  it('is idempotent: a re-run converges role, verification and lock, keeps the password', async () => {
    const email = `again-${randomUUID().slice(0, 8)}@example.test`;
    const slug = `again-${randomUUID().slice(0, 8)}`;
    const base = ['users', 'seed', '--email', email, '--tenant-slug', slug];
    const first = await runCommand([...base, '--password', STRONG], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Created user /);
    const [before] = await state(email);
    expect(before).toMatchObject({ role: 'admin', status: 'active', email_verified_at: null });

    const again = await runCommand(
      [...base, '--password', 'Other-Password-77!', '--role', 'viewer', '--verified', '--locked'],
      env,
    );
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Updated user /);
    expect(again.stderr).toBe('warning: the user already exists; --password was ignored\n');
    const rows = await state(email);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ role: 'viewer', status: 'locked', history: 1 });
    expect(rows[0].email_verified_at).not.toBeNull();
    // A re-run without a password never prompts.
    const prompt = { interactive: true, ask: jest.fn() };
    const quiet = await runCommand(base, env, [[PasswordPrompt, prompt]]);
    expect(quiet.code).toBe(0);
    expect(prompt.ask).not.toHaveBeenCalled();
  });

  it('prompts for a missing password on a terminal, and refuses without one', async () => {
    const email = `prompt-${randomUUID().slice(0, 8)}@example.test`;
    const prompt = { interactive: true, ask: jest.fn().mockResolvedValue(STRONG) };
    const prompted = await runCommand(['users', 'seed', '--email', email], env, [
      [PasswordPrompt, prompt],
    ]);
    expect(prompted.code).toBe(0);
    expect(prompt.ask).toHaveBeenCalledWith('Password: ');
    expect(await state(email)).toHaveLength(1);

    const other = `notty-${randomUUID().slice(0, 8)}@example.test`;
    const noTty = await runCommand(['users', 'seed', '--email', other], env, [
      [PasswordPrompt, { interactive: false, ask: jest.fn() }],
    ]);
    expect(noTty).toMatchObject({
      code: 1,
      stderr: 'error: --password is required when no terminal is attached\n',
    });
    expect(await state(other)).toHaveLength(0);
  });

  it('validates role, email, slug and the password policy (exit 1, nothing written)', async () => {
    const email = `bad-${randomUUID().slice(0, 8)}@example.test`;
    const role = await runCommand(['users', 'seed', '--email', email, '--role', 'root'], env);
    expect(role).toMatchObject({
      code: 1,
      stderr: 'error: --role must be one of owner, admin, member, viewer\n',
    });
    const weak = await runCommand(['users', 'seed', '--email', email, '--password', 'short'], env);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/^error: Password/);
    const slug = await runCommand(
      ['users', 'seed', '--email', email, '--password', STRONG, '--tenant-slug', 'Bad Slug'],
      env,
    );
    expect(slug.stderr).toMatch(/^error: --tenant-slug must be/);
    const invalidEmail = await runCommand(
      ['users', 'seed', '--email', 'not-an-email', '--password', STRONG],
      env,
    );
    expect(invalidEmail.stderr).toBe("error: invalid email 'not-an-email'\n");
    expect(await state(email)).toHaveLength(0);
  });
});
