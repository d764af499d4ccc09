import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  CLI_JS,
  ensureBuilt,
  freePort,
  MAIN_JS,
  startProcess,
  waitForHttp,
  type RunningProcess,
} from '../../support/compiled-app';

const PASSWORD = 'Correct-Horse-9-Battery';

/**
 * One process owns an embedded data directory (issue: the CLI and the server each opened
 * var/pgdata as their own PGlite, so a seeded user never reached the server). Real processes,
 * as `npm start` and `npm run cli` run them, on the default `var/pgdata` of a fresh directory.
 */
describe('embedded database ownership across processes', () => {
  let cwd: string;
  let port: number;
  const running: RunningProcess[] = [];

  beforeAll(() => ensureBuilt(), 120_000);
  beforeEach(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'aa-own-'));
    port = await freePort();
  });
  afterEach(() => {
    for (const process of running.splice(0)) process.child.kill('SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
  });

  const env = (): Record<string, string> => ({
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
  });
  const lockFile = (): string => join(cwd, 'var', 'pgdata', 'owner.lock');
  const lockOwner = (): { pid: number; role: string } =>
    JSON.parse(readFileSync(lockFile(), 'utf8')) as { pid: number; role: string };

  async function startServer(): Promise<RunningProcess> {
    const server = startProcess(MAIN_JS, env(), cwd);
    running.push(server);
    await waitForHttp(`http://127.0.0.1:${port}/health/ready`, 60_000);
    return server;
  }

  async function cli(args: string[]): Promise<{ code: number | null; stdout: string }> {
    const command = startProcess(CLI_JS, env(), cwd, args);
    const code = await command.exited;
    return { code, stdout: command.stdout() + command.stderr() };
  }

  const seed = (email: string) =>
    cli(['users', 'seed', '--email', email, '--password', PASSWORD, '--verified']);

  async function login(email: string): Promise<number> {
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    return response.status;
  }

  it('lets the CLI seed through the running server, whose login then works; psql-style clients connect through the socket', async () => {
    const server = await startServer();
    expect(lockOwner()).toMatchObject({ pid: server.child.pid, role: 'server' });

    const first = await seed('dev@example.com');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Created user dev@example.com');
    expect(first.stdout).toContain('[created]');
    expect(await login('dev@example.com')).toBe(200);

    // Seeding again sees the same data: the tenant exists now.
    const again = await seed('dev2@example.com');
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('[created]');

    // What `psql -h var/pgdata -U postgres` does: connect on the socket in the data directory.
    const client = new Client({ host: join(cwd, 'var', 'pgdata'), port: 5432, user: 'postgres' });
    await client.connect();
    const rows = await client.query<{ email: string }>('SELECT email FROM users ORDER BY email');
    await client.end();
    expect(rows.rows.map((row) => row.email)).toEqual(['dev2@example.com', 'dev@example.com']);
    expect(await login('dev2@example.com')).toBe(200);
  }, 120_000);

  it('refuses a second server on the same directory with one clear line', async () => {
    const server = await startServer();
    const second = startProcess(MAIN_JS, { ...env(), PORT: String(await freePort()) }, cwd);
    running.push(second);
    expect(await second.exited).toBe(1);
    expect(second.stdout()).toBe('');
    expect(second.stderr().trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^error: the embedded database .*var/pgdata is in use by a running server \\(pid ${server.child.pid}\\)`,
        ),
      ),
    ]);
    // The first server is untouched.
    expect(await login('nobody@example.com')).toBe(401);
    expect(lockOwner().pid).toBe(server.child.pid);
  }, 120_000);

  it('recovers the lock and the data after the owner is killed with SIGKILL', async () => {
    const first = await startServer();
    expect((await seed('dev@example.com')).code).toBe(0);
    first.child.kill('SIGKILL');
    await first.exited;
    // The dead owner's lock is still there; the next start must not be refused by it.
    expect(lockOwner().pid).toBe(first.child.pid);

    const next = await startServer();
    expect(lockOwner()).toMatchObject({ pid: next.child.pid, role: 'server' });
    expect(await login('dev@example.com')).toBe(200);
  }, 120_000);

  it('lets the CLI own the directory when no server runs, and leaves it to the next server', async () => {
    const seeded = await seed('offline@example.com');
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toContain('Created user offline@example.com');
    expect(existsSync(lockFile())).toBe(false);

    await startServer();
    expect(await login('offline@example.com')).toBe(200);
  }, 120_000);
});
