import { parse as parseDotenv } from 'dotenv';
import { productionSecretNames } from '../../../src/cli/commands/secrets/production-secrets';
import { loadConfig } from '../../../src/platform/config/load-config';
import { productionProblems, secretWarnings } from '../../../src/platform/config/secret-guard';
import { cliEnv, runCommand, tempDir, type Env } from './cli-harness';

describe('CLI: secrets generate', () => {
  let dir: ReturnType<typeof tempDir>;
  let env: Env;

  beforeAll(() => {
    dir = tempDir('aa-cli-secrets-');
    env = cliEnv(dir.path);
  });
  afterAll(() => dir.remove());

  it('names SECRET_KEY, every sensitive pepper and salt, and the session encryption key', () => {
    expect(productionSecretNames().sort()).toEqual(
      [
        'AUTH_EMAIL_VERIFICATION_TOKEN_PEPPER',
        'AUTH_JWKS_ETAG_SALT',
        'AUTH_PASSWORD_PEPPER',
        'AUTH_PASSWORD_RESET_TOKEN_PEPPER',
        'AUTH_REFRESH_TOKEN_PEPPER',
        'AUTH_SESSION_ENCRYPTION_KEY',
        'AUTH_SESSION_IP_HASH_SALT',
        'SECRET_KEY',
      ].sort(),
    );
  });

  it('prints env lines that satisfy the production secret guard, fresh on every run', async () => {
    const first = await runCommand(['secrets', 'generate'], env);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const lines = first.stdout.trimEnd().split('\n');
    expect(lines.filter((line) => line.startsWith('#'))).toHaveLength(2);
    const secrets = parseDotenv(first.stdout);
    expect(Object.keys(secrets).sort()).toEqual(productionSecretNames().sort());
    for (const value of Object.values(secrets)) expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Pasted into a production environment, no starter-secret or missing-secret problem is left.
    const config = loadConfig(
      { ...secrets, ENVIRONMENT: 'production', AUTH_KEY_STORAGE_PATH: '/srv/keys/keyset.json' },
      { readDotenvFiles: false },
    );
    expect(secretWarnings(config)).toEqual([]);
    const problems = productionProblems(config).join('\n');
    for (const name of productionSecretNames()) expect(problems).not.toContain(name);

    const second = await runCommand(['secrets', 'generate'], env);
    const again = parseDotenv(second.stdout);
    for (const name of productionSecretNames()) expect(again[name]).not.toBe(secrets[name]);
  });

  it('prints JSON with --output json and rejects other formats', async () => {
    const json = await runCommand(['secrets', 'generate', '--output', 'json'], env);
    expect(json.code).toBe(0);
    expect(Object.keys(JSON.parse(json.stdout) as object).sort()).toEqual(
      productionSecretNames().sort(),
    );
    const bad = await runCommand(['secrets', 'generate', '--output', 'yaml'], env);
    expect(bad).toMatchObject({ code: 1, stderr: 'error: --output must be one of env, json\n' });
  });

  it('lists generate under secrets', async () => {
    const help = await runCommand(['secrets'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/generate \[options\]\s+Print fresh values of the service secrets/);
  });
});
