import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CapturingCliIo } from '../../../src/cli/cli-io';
import { runCli } from '../../../src/cli/run-cli';
import { startVaultFake, type VaultFake } from '../../support/fakes';
import { cliEnv, runCommand, tempDir, type Env } from './cli-harness';

interface StoredKeyset {
  active: { kid: string; private_key: string | null } | null;
  next: { kid: string } | null;
  retired: { kid: string; not_after: string }[];
}

describe('CLI: keys rotate|list|prune and jwks print', () => {
  let dir: ReturnType<typeof tempDir>;
  let env: Env;
  const stored = () =>
    JSON.parse(readFileSync(join(dir.path, 'keyset.json'), 'utf8')) as StoredKeyset;

  beforeAll(() => {
    dir = tempDir('aa-cli-keys-');
    env = cliEnv(dir.path);
  });
  afterAll(() => dir.remove());

  it('rotates: promotes next, retires the old key, prints the reference fields as JSON', async () => {
    const first = await runCommand(['keys', 'rotate'], env);
    expect(first.code).toBe(0);
    const before = stored();
    const second = await runCommand(['keys', 'rotate'], env);
    expect(second).toMatchObject({ code: 0 });
    const report = JSON.parse(second.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      kid: before.next?.kid,
      storage_backend: 'file',
      previous_kid: before.active?.kid,
      public_jwk: { kty: 'OKP', crv: 'Ed25519', kid: before.next?.kid, alg: 'EdDSA', use: 'sig' },
    });
    const after = stored();
    expect(after.active?.kid).toBe(before.next?.kid);
    expect(after.retired[0]).toMatchObject({ kid: before.active?.kid, private_key: null });
    expect(after.next?.kid).toBe(report.next_kid);
  });

  it('names a fresh key with --kid and refuses a duplicate or malformed kid (exit 1)', async () => {
    const named = await runCommand(['keys', 'rotate', '--kid', 'ops-key-1'], env);
    expect(named.code).toBe(0);
    expect(JSON.parse(named.stdout).kid).toBe('ops-key-1');
    expect(named.stderr).toMatch(/^warning: the new active key was published for/);
    expect(stored().active?.kid).toBe('ops-key-1');

    const duplicate = await runCommand(['keys', 'rotate', '--kid', 'ops-key-1'], env);
    expect(duplicate).toMatchObject({ code: 1, stdout: '' });
    expect(duplicate.stderr).toBe("error: kid 'ops-key-1' already exists\n");
    const malformed = await runCommand(['keys', 'rotate', '--kid', 'a b'], env);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/^error: --kid must be/);
  });

  it('lists keys as JSON or a text table, never with private keys', async () => {
    const json = await runCommand(['keys', 'list'], env);
    expect(json.code).toBe(0);
    const listing = JSON.parse(json.stdout) as {
      storage_backend: string;
      keys: { kid: string; status: string; can_sign: boolean; verifies: boolean }[];
    };
    expect(listing.storage_backend).toBe('file');
    expect(listing.keys[0]).toMatchObject({ kid: 'ops-key-1', status: 'active', can_sign: true });
    expect(listing.keys.filter((k) => k.status === 'retired').length).toBeGreaterThanOrEqual(2);
    expect(json.stdout).not.toContain('PRIVATE KEY');

    const text = await runCommand(['keys', 'list', '-o', 'text'], env);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(/^KID\s+STATUS\s+CREATED/);
    expect(text.stdout).toMatch(/ops-key-1\s+active/);

    const bad = await runCommand(['keys', 'list', '--output', 'yaml'], env);
    expect(bad).toMatchObject({ code: 1, stderr: 'error: --output must be one of json, text\n' });
  });

  it('prunes only expired retired keys', async () => {
    const nothing = await runCommand(['keys', 'prune'], env);
    expect(nothing.code).toBe(0);
    expect(JSON.parse(nothing.stdout).removed).toEqual([]);
    expect(stored().retired.length).toBeGreaterThanOrEqual(2);
  });

  it('revokes a retired key (exit 0) and refuses the active one (exit 1)', async () => {
    const retired = stored().retired[stored().retired.length - 1].kid;
    const revoked = await runCommand(['keys', 'revoke', retired], env);
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout)).toEqual({ revoked: retired, replaced_next: null });
    expect(stored().retired.map((k) => k.kid)).not.toContain(retired);
    const active = await runCommand(['keys', 'revoke', 'ops-key-1'], env);
    expect(active).toMatchObject({
      code: 1,
      stderr: "error: 'ops-key-1' is the active key: run 'keys rotate' first\n",
    });
    const missing = await runCommand(['keys', 'revoke'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: missing required argument 'kid'/);
  });

  it('prints the JWKS: active, next and retired public keys', async () => {
    const result = await runCommand(['jwks', 'print'], env);
    expect(result.code).toBe(0);
    const jwks = JSON.parse(result.stdout) as { keys: { kid: string; d?: string }[] };
    const keyset = stored();
    expect(jwks.keys.map((k) => k.kid)).toEqual([
      keyset.active?.kid,
      keyset.next?.kid,
      ...keyset.retired.map((k) => k.kid),
    ]);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
  });

  it('prints help for a group without subcommand, and fails on unknown commands', async () => {
    const group = await runCommand(['keys'], env);
    expect(group.code).toBe(0);
    expect(group.stdout).toMatch(/rotate/);
    const unknown = await runCommand(['keys', 'spin'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: unknown command 'spin'/);
  });

  it('runs the entry point: help with no command (exit 0), config errors (exit 1)', async () => {
    const io = new CapturingCliIo();
    expect(await runCli([], { env, io })).toBe(0);
    expect(io.output).toMatch(/Usage: anything-agents/);
    expect(io.output).toMatch(/keys/);
    const broken = new CapturingCliIo();
    expect(await runCli(['jwks', 'print'], { env: { ...env, PORT: 'x' }, io: broken })).toBe(1);
    expect(broken.errors).toMatch(/^error: Invalid configuration:/);
    const printed = new CapturingCliIo();
    expect(await runCli(['jwks', 'print'], { env, io: printed })).toBe(0);
    expect(JSON.parse(printed.output).keys.length).toBeGreaterThan(0);
  });
});

describe('CLI: keys on the Vault KV backend', () => {
  let vault: VaultFake;
  let dir: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    vault = await startVaultFake({ token: 'kv-token', kvV1Mounts: ['kv1'] });
    dir = tempDir('aa-cli-kv-');
  });
  afterAll(async () => {
    await vault.close();
    dir.remove();
  });

  it.each([
    ['v2', 'secret/data/aa/keyset', 'secret', 'aa/keyset'],
    ['v1', 'kv1/aa/keyset', 'kv1', 'aa/keyset'],
  ])('rotates a KV %s keyset in place', async (_version, name, mount, path) => {
    const env = cliEnv(dir.path, {
      AUTH_KEY_STORAGE_BACKEND: 'secret-manager',
      AUTH_KEY_SECRET_NAME: name,
      VAULT_ADDR: vault.addr,
      VAULT_TOKEN: 'kv-token',
    });
    const first = await runCommand(['keys', 'rotate'], env);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).storage_backend).toBe('secret-manager');
    const second = await runCommand(['keys', 'rotate', '--kid', `kv-${_version}`], env);
    expect(second.code).toBe(0);
    const doc = JSON.parse(vault.readSecret(mount, path)?.value as string) as StoredKeyset;
    expect(doc.active?.kid).toBe(`kv-${_version}`);
    expect(doc.retired.map((k) => k.kid)).toContain(JSON.parse(first.stdout).kid);
  });

  it('fails with exit 1 when Vault refuses the token', async () => {
    const env = cliEnv(dir.path, {
      AUTH_KEY_STORAGE_BACKEND: 'secret-manager',
      AUTH_KEY_SECRET_NAME: 'secret/data/aa/keyset',
      VAULT_ADDR: vault.addr,
      VAULT_TOKEN: 'wrong',
    });
    const result = await runCommand(['keys', 'rotate'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: Vault KV read of the keyset failed (HTTP 403)\n');
  });
});
