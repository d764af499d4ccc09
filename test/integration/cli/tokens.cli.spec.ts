import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { startVaultFake, type VaultFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';
import { cliEnv, runCommand, tempDir, type Env } from './cli-harness';

describe('CLI: tokens issue-service-account against a running API (dev-local)', () => {
  let api: TestApp;
  let dir: ReturnType<typeof tempDir>;
  let env: Env;

  beforeAll(async () => {
    api = await startTestApp();
    dir = tempDir('aa-cli-tokens-');
    env = cliEnv(dir.path, { AUTH_CLI_BASE_URL: api.url });
  });
  afterAll(async () => {
    await api.close();
    dir.remove();
  });

  it('prints the issued token as pretty JSON by default', async () => {
    const tenantId = randomUUID();
    const result = await runCommand(
      [
        'tokens',
        'issue-service-account',
        '--account',
        'analytics-batch',
        '-s',
        'conversations:read, ,conversations:read',
        '-t',
        tenantId,
        '--lifetime',
        '60',
        '--fingerprint',
        'ops-laptop',
      ],
      env,
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^\{\n {2}"refresh_token": /);
    const body = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(body).toMatchObject({
      account: 'analytics-batch',
      scopes: ['conversations:read'],
      tenant_id: tenantId,
      token_use: 'refresh',
    });
    const claims = decodeJwt(body.refresh_token as string);
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    expect(claims.fingerprint).toBe('ops-laptop');
    const rows = await api.dataSource.query<{ refresh_jti: string }[]>(
      'SELECT refresh_jti FROM service_account_tokens WHERE tenant_id = $1',
      [tenantId],
    );
    expect(rows).toEqual([{ refresh_jti: claims.jti }]);
  });

  it('talks to the API on PORT when no base URL is configured', async () => {
    const tenantId = randomUUID();
    const port = new URL(api.url).port;
    const portEnv = cliEnv(dir.path, { PORT: port });
    delete portEnv.AUTH_CLI_BASE_URL;
    const result = await runCommand(
      [
        'tokens',
        'issue-service-account',
        '--account',
        'analytics-batch',
        '-s',
        'conversations:read',
        '-t',
        tenantId,
      ],
      portEnv,
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const rows = await api.dataSource.query<{ refresh_jti: string }[]>(
      'SELECT refresh_jti FROM service_account_tokens WHERE tenant_id = $1',
      [tenantId],
    );
    expect(rows).toHaveLength(1);
  });

  it('supports the text and env formats (and AUTH_CLI_OUTPUT as the default)', async () => {
    const args = ['tokens', 'issue-service-account', '-a', 'support-console', '-s', 'support:*'];
    const text = await runCommand([...args, '-o', 'text'], env);
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 7).map((line) => line.split(':')[0])).toEqual([
      'Account',
      'Scopes',
      'Issued At',
      'Expires At',
      'Tenant ID',
      'Token Use',
      'Key ID',
    ]);
    expect(lines[4]).toBe('Tenant ID: global');
    expect(lines.slice(7, 9)).toEqual(['', 'Refresh Token:']);
    const token = lines[9];

    const envOutput = await runCommand(args, { ...env, AUTH_CLI_OUTPUT: 'env' });
    expect(envOutput.code).toBe(0);
    // Reuse: the same active token comes back.
    expect(envOutput.stdout).toBe(`AUTH_REFRESH_TOKEN=${token}\n`);
  });

  it('reports API refusals as `error: Issuance failed (<status>): <detail>` with exit 1', async () => {
    const result = await runCommand(
      ['tokens', 'issue-service-account', '-a', 'nope', '-s', 'x'],
      env,
    );
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: "error: Issuance failed (400): Service account 'nope' is not defined.\n",
    });
  });

  it('rejects bad flags before calling the API', async () => {
    const missing = await runCommand(['tokens', 'issue-service-account', '-s', 'x'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: required option '-a, --account <slug>' not specified/);
    const blank = await runCommand(
      ['tokens', 'issue-service-account', '-a', 'x', '-s', ' , '],
      env,
    );
    expect(blank).toMatchObject({
      code: 1,
      stderr: 'error: --scopes needs at least one non-blank scope\n',
    });
    const lifetime = await runCommand(
      ['tokens', 'issue-service-account', '-a', 'x', '-s', 'y', '--lifetime', 'soon'],
      env,
    );
    expect(lifetime.stderr).toBe('error: --lifetime must be a whole number of minutes\n');
  });

  it('fails cleanly when the API is unreachable', async () => {
    const result = await runCommand(
      ['tokens', 'issue-service-account', '-a', 'x', '-s', 'y', '--base-url', 'http://127.0.0.1:9'],
      env,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: Request to http:\/\/127\.0\.0\.1:9\/api\/v1\/auth\/service-accounts\/issue failed/,
    );
  });
});

describe('CLI: tokens issue-service-account signing through Vault Transit', () => {
  const token = 'root-token';
  let vault: VaultFake;
  let api: TestApp;
  let dir: ReturnType<typeof tempDir>;
  let env: Env;

  beforeAll(async () => {
    vault = await startVaultFake({ token, transitKeys: ['auth-service'] });
    const vaultEnv = { VAULT_ADDR: vault.addr, VAULT_TOKEN: token, VAULT_VERIFY_ENABLED: 'true' };
    api = await startTestApp({ env: vaultEnv });
    dir = tempDir('aa-cli-vault-');
    env = cliEnv(dir.path, { ...vaultEnv, AUTH_CLI_BASE_URL: api.url });
  });
  afterAll(async () => {
    await api.close();
    await vault.close();
    dir.remove();
  });

  it('signs the envelope with Transit and the API accepts it', async () => {
    const tenantId = randomUUID();
    const result = await runCommand(
      [
        'tokens',
        'issue-service-account',
        '-a',
        'billing-worker',
        '-s',
        'billing:read',
        '-t',
        tenantId,
      ],
      env,
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toMatchObject({
      account: 'billing-worker',
      tenant_id: tenantId,
    });
    const sign = vault.requests.find((r) => r.path === '/v1/transit/sign/auth-service');
    const verify = vault.requests.find((r) => r.path === '/v1/transit/verify/auth-service');
    expect(verify?.body).toMatchObject({ input: (sign?.body as { input: string }).input });
    expect((verify?.body as { signature: string }).signature).toMatch(/^vault:v1:/);
  });

  it('falls back to dev-local with AUTH_CLI_DEV_AUTH_MODE=local, which this API refuses', async () => {
    const result = await runCommand(
      ['tokens', 'issue-service-account', '-a', 'support-console', '-s', 'support:*'],
      { ...env, AUTH_CLI_DEV_AUTH_MODE: 'local' },
    );
    expect(result).toMatchObject({
      code: 1,
      stderr:
        'error: Issuance failed (401): Vault-signed credential required for service-account issuance.\n',
    });
  });

  it('reports a Vault signing failure', async () => {
    const result = await runCommand(
      ['tokens', 'issue-service-account', '-a', 'support-console', '-s', 'support:*'],
      { ...env, VAULT_TOKEN: 'wrong' },
    );
    expect(result).toMatchObject({ code: 1, stderr: 'error: Vault signing failed: HTTP 403\n' });
  });
});
