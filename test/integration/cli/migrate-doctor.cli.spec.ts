import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { ALL_MIGRATIONS } from '../../../migrations';
import { databaseUrl } from '../../support/backends';
import { startVaultFake, type VaultFake } from '../../support/fakes';
import { usingRealPostgres } from '../../support/test-app';
import { cliEnv, runCommand, tempDir, type Env } from './cli-harness';

const NAMES = ALL_MIGRATIONS.map((migration) => migration.name);

interface Status {
  applied: string[];
  pending: string[];
}

describe('CLI: migrate up|down|status and doctor on a database of their own', () => {
  let dir: ReturnType<typeof tempDir>;
  let env: Env;
  let database: string | undefined;

  beforeAll(async () => {
    dir = tempDir('aa-cli-migrate-');
    if (usingRealPostgres()) {
      database = `aa_cli_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      const admin = new Client({ connectionString: process.env.TEST_POSTGRES_ADMIN_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${database}"`);
      await admin.end();
      const url = databaseUrl(process.env.TEST_POSTGRES_ADMIN_URL as string, database);
      env = cliEnv(dir.path, { DATABASE_URL: url, AUTO_RUN_MIGRATIONS: 'false' });
    } else {
      // Embedded Postgres persisted in a directory, so state survives between commands.
      env = cliEnv(dir.path, {
        DATABASE_URL: undefined,
        EMBEDDED_DATABASE_DIR: `${dir.path}/pgdata`,
        AUTO_RUN_MIGRATIONS: 'false',
      });
    }
  });
  afterAll(async () => {
    if (database) {
      const admin = new Client({ connectionString: process.env.TEST_POSTGRES_ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await admin.end();
    }
    dir.remove();
  });

  const status = async (): Promise<Status> => {
    const result = await runCommand(['migrate', 'status'], env);
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as Status;
  };

  it('reports everything pending on an empty database, and doctor fails on it', async () => {
    // `migrate` commands never auto-run migrations first, even with AUTO_RUN_MIGRATIONS on.
    const first = await runCommand(['migrate', 'status'], { ...env, AUTO_RUN_MIGRATIONS: 'true' });
    expect(JSON.parse(first.stdout)).toEqual({ applied: [], pending: NAMES });
    expect(await status()).toEqual({ applied: [], pending: NAMES });
    const doctor = await runCommand(['doctor'], env);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/^migrations\s+FAIL\s+\d+ms\s+schema_behind$/m);
    expect(doctor.stderr).toMatch(/^error: \d+ check\(s\) failed: .*migrations/);
  });

  it('applies, reverts one step (or --steps N) and re-applies', async () => {
    const up = await runCommand(['migrate', 'up'], env);
    expect(up.code).toBe(0);
    expect(JSON.parse(up.stdout)).toEqual({ applied: NAMES });
    expect(await status()).toEqual({ applied: NAMES, pending: [] });

    const down = await runCommand(['migrate', 'down'], env);
    expect(JSON.parse(down.stdout)).toEqual({ reverted: [NAMES[NAMES.length - 1]] });
    const two = await runCommand(['migrate', 'down', '--steps', '2'], env);
    expect(JSON.parse(two.stdout)).toEqual({ reverted: NAMES.slice(-3, -1).reverse() });
    expect((await status()).pending).toEqual(NAMES.slice(-3));

    const again = await runCommand(['migrate', 'up'], env);
    expect(JSON.parse(again.stdout)).toEqual({ applied: NAMES.slice(-3) });
    const bad = await runCommand(['migrate', 'down', '--steps', '0'], env);
    expect(bad).toMatchObject({ code: 1, stderr: 'error: --steps must be a positive integer\n' });
  });

  it('doctor: a table of passing checks and exit 0 on a healthy setup', async () => {
    const result = await runCommand(['doctor'], env);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^CHECK\s+STATUS\s+LATENCY\s+DETAIL$/m);
    for (const check of ['database', 'redis', 'migrations', 'keyset']) {
      expect(result.stdout).toMatch(new RegExp(`^${check}\\s+OK\\s`, 'm'));
    }
    expect(result.stdout).toMatch(/^vault\s+SKIPPED\s.*not configured$/m);
    expect(result.stdout).toMatch(/^stripe\s+SKIPPED\s.*billing off$/m);
    expect(result.stdout).toMatch(/^config\s+OK\s/m);
  });

  describe('with Vault configured', () => {
    let vault: VaultFake;
    beforeAll(async () => {
      vault = await startVaultFake({ token: 'doctor-token' });
    });
    afterAll(() => vault.close());

    it('checks Vault reachability and token, as JSON on request', async () => {
      const vaultEnv = { ...env, VAULT_ADDR: vault.addr, VAULT_TOKEN: 'doctor-token' };
      const healthy = await runCommand(['doctor', '--output', 'json'], vaultEnv);
      expect(healthy.code).toBe(0);
      const report = JSON.parse(healthy.stdout) as {
        ok: boolean;
        checks: { name: string; status: string; detail: string }[];
      };
      expect(report.ok).toBe(true);
      expect(report.checks.find((c) => c.name === 'vault')).toMatchObject({
        status: 'ok',
        detail: 'reachable, token valid',
      });

      vault.setSealed(true);
      const sealed = await runCommand(['doctor'], vaultEnv);
      vault.setSealed(false);
      expect(sealed.code).toBe(1);
      expect(sealed.stdout).toMatch(/^vault\s+FAIL\s.*sys\/health answered 503$/m);
      expect(sealed.stderr).toBe('error: 1 check(s) failed: vault\n');

      const badToken = await runCommand(['doctor'], { ...vaultEnv, VAULT_TOKEN: 'nope' });
      expect(badToken.code).toBe(1);
      expect(badToken.stdout).toMatch(/^vault\s+FAIL\s.*token lookup answered 403$/m);
    });
  });
});
