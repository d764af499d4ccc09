import { join } from 'node:path';
import { maskUrlCredentials } from '../../../src/platform/config/masking';
import { usingRealPostgres, usingRealRedis } from '../../support/test-app';
import { cliEnv, runCommand, tempDir, type Env } from './cli-harness';

interface Part {
  name: string;
  mode: string;
  embedded: boolean;
  uses: string;
  switch?: string;
}

interface Report {
  ok: boolean;
  parts: Part[];
  checks: { name: string; status: string; detail: string }[];
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('CLI: doctor says what each part uses, as the server resolves it', () => {
  let dir: ReturnType<typeof tempDir>;

  beforeAll(() => {
    dir = tempDir('aa-cli-doctor-');
  });
  afterAll(() => dir.remove());

  it('embedded defaults: PGlite directory opened by the command, mock Redis, offline model, logged mail', async () => {
    const pgdata = join(dir.path, 'pgdata');
    const env: Env = cliEnv(dir.path, {
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
      EMBEDDED_DATABASE_DIR: pgdata,
      AUTO_RUN_MIGRATIONS: 'true',
      OPENAI_API_KEY: undefined,
      SMTP_URL: undefined,
    });
    const text = await runCommand(['doctor'], env);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^PART\s+MODE\s+USES$/);
    expect(text.stdout).toMatch(
      new RegExp(
        `^database\\s+embedded\\s+PGlite in ${escape(pgdata)} \\(no server running: this ` +
          'command opened it\\); set DATABASE_URL for the real one$',
        'm',
      ),
    );
    expect(text.stdout).toMatch(
      /^redis\s+embedded\s+in-process ioredis-mock, .*; set REDIS_URL for the real one$/m,
    );
    expect(text.stdout).toMatch(
      /^model\s+offline\s+offline deterministic model; set OPENAI_API_KEY for the real one$/m,
    );
    expect(text.stdout).toMatch(
      /^mail\s+logged\s+logged, not sent; set SMTP_URL for the real one$/m,
    );
    expect(text.stdout).toMatch(
      new RegExp(`^keys\\s+file\\s+${escape(join(dir.path, 'keyset.json'))}$`, 'm'),
    );
    expect(text.stdout).toMatch(/^billing\s+off\s+-$/m);
    // The checks table follows, after one blank line, with what each passing check established.
    expect(lines).toContain('');
    expect(text.stdout).toMatch(/^CHECK\s+STATUS\s+LATENCY\s+DETAIL$/m);
    expect(text.stdout).toMatch(/^database\s+OK\s+\d+ms\s+select 1$/m);
    expect(text.stdout).toMatch(/^redis\s+OK\s+\d+ms\s+PING$/m);
    expect(text.stdout).toMatch(/^migrations\s+OK\s+\d+ms\s+\d+ applied, 0 pending$/m);
    expect(text.stdout).toMatch(/^keyset\s+OK\s+\d+ms\s+readable, active key \S+$/m);

    const json = await runCommand(['doctor', '--output', 'json'], env);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as Report;
    expect(report.ok).toBe(true);
    expect(report.parts.map((part) => [part.name, part.mode, part.embedded])).toEqual([
      ['database', 'embedded', true],
      ['redis', 'embedded', true],
      ['model', 'offline', true],
      ['mail', 'logged', true],
      ['keys', 'file', false],
      ['billing', 'off', false],
    ]);
    expect(report.parts.filter((part) => part.switch).map((part) => part.switch)).toEqual([
      'DATABASE_URL',
      'REDIS_URL',
      'OPENAI_API_KEY',
      'SMTP_URL',
    ]);
  });

  it('an in-memory embedded database is named as private to the process', async () => {
    const env = cliEnv(dir.path, {
      DATABASE_URL: undefined,
      EMBEDDED_DATABASE_DIR: 'memory://',
      AUTO_RUN_MIGRATIONS: 'true',
    });
    const result = await runCommand(['doctor', '--output', 'json'], env);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.parts[0]).toMatchObject({
      name: 'database',
      mode: 'embedded',
      uses: 'PGlite in memory (memory://), private to this process',
    });
  });

  (usingRealPostgres() && usingRealRedis() ? it : it.skip)(
    'real services: Postgres and Redis URLs masked, OpenAI base URL, SMTP, all checked',
    async () => {
      const databaseUrl = process.env.TEST_DATABASE_URL as string;
      const redisUrl = process.env.TEST_REDIS_URL_RESOLVED as string;
      const env = cliEnv(dir.path, {
        DATABASE_URL: databaseUrl,
        REDIS_URL: redisUrl,
        OPENAI_API_KEY: 'sk-doctor-test-key',
        OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
        SMTP_URL: 'smtp://mailer:mail-secret@127.0.0.1:2525',
      });
      const result = await runCommand(['doctor'], env);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const out = result.stdout;
      expect(out).toMatch(
        new RegExp(`^database\\s+postgres\\s+${escape(maskUrlCredentials(databaseUrl))}$`, 'm'),
      );
      expect(out).toMatch(
        new RegExp(`^redis\\s+redis\\s+${escape(maskUrlCredentials(redisUrl))}$`, 'm'),
      );
      expect(out).toMatch(/^model\s+openai\s+http:\/\/127\.0\.0\.1:9\/v1 \(responses\)$/m);
      expect(out).toMatch(/^mail\s+smtp\s+smtp:\/\/mailer:\*\*\*@127\.0\.0\.1:2525$/m);
      expect(out).not.toMatch(/mail-secret|sk-doctor-test-key/);
      const password = new URL(databaseUrl).password;
      if (password) expect(out).not.toContain(`:${password}@`);
      expect(out).not.toMatch(/set (DATABASE_URL|REDIS_URL|OPENAI_API_KEY|SMTP_URL)/);
      expect(out).toMatch(/^database\s+OK\s+\d+ms\s+select 1$/m);
      expect(out).toMatch(/^redis\s+OK\s+\d+ms\s+PING$/m);
      expect(out).toMatch(/^migrations\s+OK\s+\d+ms\s+\d+ applied, 0 pending$/m);
      expect(out).toMatch(/^keyset\s+OK\s+\d+ms\s+readable, active key \S+$/m);
    },
  );
});
