import { generateKeyMaterial } from '../../../src/modules/auth/keys/key-material';
import type { KeysetDocument } from '../../../src/modules/auth/keys/keyset';
import {
  KeysetStorageError,
  VaultKvKeysetStorage,
} from '../../../src/modules/auth/keys/vault-kv-keyset.storage';
import { startVaultFake, type VaultFake } from '../../support/fakes';

describe('Vault KV keyset storage (AUTH_KEY_STORAGE_BACKEND=secret-manager)', () => {
  const token = 'kv-token';
  let vault: VaultFake;
  let doc: KeysetDocument;

  const storage = (name: string, tokenValue = token) =>
    new VaultKvKeysetStorage({ addr: vault.addr, token: tokenValue, timeoutMs: 2000 }, name);

  beforeAll(async () => {
    vault = await startVaultFake({ token, kvV1Mounts: ['kv1'], kvV2Mounts: ['secret'] });
    doc = {
      schema_version: 1,
      active: await generateKeyMaterial('ed25519-active-test'),
      next: await generateKeyMaterial('ed25519-next-test'),
      retired: [],
    };
  });
  afterEach(() => vault.reset());
  afterAll(() => vault.close());

  it('round-trips the keyset through KV v2 (data.data.value, a JSON string)', async () => {
    const kv = storage('secret/data/auth/keyset');
    expect(kv.kvVersion).toBe(2);
    expect(await kv.load()).toEqual({ schema_version: 1, active: null, next: null, retired: [] });
    await kv.save(doc);
    const stored = vault.readSecret('secret', 'auth/keyset');
    expect(typeof stored?.value).toBe('string');
    expect(JSON.parse(stored?.value as string)).toEqual(doc);
    expect(await kv.load()).toEqual(doc);
    expect(vault.requests.every((r) => r.headers['x-vault-token'] === token)).toBe(true);
  });

  it('round-trips the keyset through KV v1 (data.value), leading slash ignored', async () => {
    const kv = storage('/kv1/auth/keyset');
    expect(kv.kvVersion).toBe(1);
    await kv.save(doc);
    expect(Object.keys(vault.readSecret('kv1', 'auth/keyset') ?? {})).toEqual(['value']);
    expect(await kv.load()).toEqual(doc);
  });

  it("reads the reference's formats: an object value, and v1 secrets written as {data:{value}}", async () => {
    vault.writeSecret('secret', 'ref/keyset', {
      value: { schema_version: 1, active: doc.active, next: null, status: 'ignored' },
    } as never);
    expect((await storage('secret/data/ref/keyset').load()).active?.kid).toBe(
      'ed25519-active-test',
    );
    vault.writeSecret('kv1', 'ref/keyset', { data: { value: JSON.stringify(doc) } });
    expect((await storage('kv1/ref/keyset').load()).next?.kid).toBe('ed25519-next-test');
  });

  it('fails loudly on a secret without value, on denied access and on Vault errors', async () => {
    vault.writeSecret('secret', 'broken', { other: 'x' });
    await expect(storage('secret/data/broken').load()).rejects.toThrow(
      'Vault KV keyset secret has no "value" field',
    );
    await expect(storage('secret/data/auth/keyset', 'wrong-token').load()).rejects.toThrow(
      'Vault KV read of the keyset failed (HTTP 403)',
    );
    vault.failNext(1, { status: 500 });
    await expect(storage('secret/data/auth/keyset').save(doc)).rejects.toBeInstanceOf(
      KeysetStorageError,
    );
  });
});
