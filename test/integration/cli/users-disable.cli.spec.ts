import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createTestUser, uniqueEmail } from '../../support/auth-fixtures';
import { ensureBuilt } from '../../support/compiled-app';
import { startTestApp, usingRealPostgres, type TestApp } from '../../support/test-app';
import { cliEnv, tempDir, type Env } from './cli-harness';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'anything-agents.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The packaged CLI as operators run it: a child process on the compiled code. */
function run(args: string[], env: Env, cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    // A scratch cwd and only the test env: no .env file of the checkout leaks in.
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// The CLI process and the API must share one database: embedded Postgres is per process (CI
// runs the real one, where this suite always runs).
const describeWithSharedDatabase = usingRealPostgres() ? describe : describe.skip;

describeWithSharedDatabase('CLI: users disable / enable (child process)', () => {
  let api: TestApp;
  let dir: ReturnType<typeof tempDir>;
  let env: Env;

  beforeAll(async () => {
    ensureBuilt();
    api = await startTestApp();
    dir = tempDir('aa-cli-disable-');
    // The API's Redis prefix too: the CLI's revocation must reach the API's session-state cache.
    env = cliEnv(dir.path, { REDIS_KEY_PREFIX: api.redisKeyPrefix });
  }, 300_000);
  afterAll(async () => {
    await api?.close();
    dir?.remove();
  });

  const user = async (userId: string) =>
    (
      await api.dataSource.query<{ status: string }[]>('SELECT status FROM users WHERE id = $1', [
        userId,
      ])
    )[0];

  const events = (userId: string) =>
    api.dataSource.query<
      { action: string; actor_user_id: string | null; details: Record<string, unknown> }[]
    >(
      `SELECT action, actor_user_id, details FROM audit_events
        WHERE target_id = $1 AND action IN ('user.disabled', 'user.enabled') ORDER BY occurred_at`,
      [userId],
    );

  it('disables (sessions revoked, token refused) and re-enables a user by email', async () => {
    const target = await createTestUser(api, { role: 'member' });
    await api.http.get('/api/v1/auth/me').set('Authorization', target.authorization).expect(200);

    // The email as an operator might type it: padded, in capitals.
    const disabled = await run(
      ['users', 'disable', '--email', `  ${target.email.toUpperCase()} `],
      env,
      dir.path,
    );
    expect(disabled).toMatchObject({ code: 0 });
    expect(JSON.parse(disabled.stdout)).toEqual({
      user_id: target.userId,
      email: target.email,
      status: 'disabled',
      sessions_revoked: 1,
    });
    expect(await user(target.userId)).toEqual({ status: 'disabled' });
    const [session] = await api.dataSource.query<{ revoked_at: Date | null }[]>(
      'SELECT revoked_at FROM user_sessions WHERE id = $1',
      [target.sessionId],
    );
    expect(session.revoked_at).not.toBeNull();
    await api.http.get('/api/v1/auth/me').set('Authorization', target.authorization).expect(401);

    const enabled = await run(['users', 'enable', '--email', target.email], env, dir.path);
    expect(enabled).toMatchObject({ code: 0 });
    expect(JSON.parse(enabled.stdout)).toEqual({
      user_id: target.userId,
      email: target.email,
      status: 'active',
      sessions_revoked: 0,
    });
    expect(await user(target.userId)).toEqual({ status: 'active' });
    // The operator is no user: the events have no actor, and say they came from the CLI.
    expect(await events(target.userId)).toEqual([
      {
        action: 'user.disabled',
        actor_user_id: null,
        details: expect.objectContaining({ via: 'cli' }),
      },
      {
        action: 'user.enabled',
        actor_user_id: null,
        details: expect.objectContaining({ via: 'cli' }),
      },
    ]);
  }, 60_000);

  it('exits non-zero with a message on stderr for an unknown email', async () => {
    const email = uniqueEmail('nobody');
    const result = await run(['users', 'disable', '--email', email], env, dir.path);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`error: no user with email '${email}'`);
    const enable = await run(['users', 'enable', '--email', email], env, dir.path);
    expect(enable.code).toBe(1);
  }, 60_000);
});
