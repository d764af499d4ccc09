import { decodeProtectedHeader } from 'jose';
import { KeyRotationService } from '../../../src/modules/auth/keys/key-rotation.service';
import { createTestUser } from '../../support/auth-fixtures';
import { startVaultFake, type VaultFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';

describe('the app on a Vault KV keyset (secret-manager backend)', () => {
  const token = 'kv-token';
  let vault: VaultFake;
  let t: TestApp;

  beforeAll(async () => {
    vault = await startVaultFake({ token, kvV2Mounts: ['secret'] });
    t = await startTestApp({
      env: {
        AUTH_KEY_STORAGE_BACKEND: 'secret-manager',
        AUTH_KEY_SECRET_NAME: 'secret/data/anything-agents/keyset',
        VAULT_ADDR: vault.addr,
        VAULT_TOKEN: token,
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await vault.close();
  });

  const storedKeyset = () =>
    JSON.parse(vault.readSecret('secret', 'anything-agents/keyset')?.value as string) as {
      active: { kid: string };
      next: { kid: string };
      retired: { kid: string }[];
    };

  it('signs with the keyset kept in Vault, caches it, and rotates it in place', async () => {
    const stored = storedKeyset(); // development boot provisioned it in Vault
    const user = await createTestUser(t);
    expect(decodeProtectedHeader(user.accessToken).kid).toBe(stored.active.kid);

    const reads = () =>
      vault.requests.filter((r) => r.method === 'GET' && r.path.includes('keyset')).length;
    const readsBefore = reads();
    for (let i = 0; i < 5; i += 1) {
      await t.http.get('/api/v1/auth/me').set('Authorization', user.authorization).expect(200);
      await t.http.get('/.well-known/jwks.json').expect(200);
    }
    expect(reads()).toBe(readsBefore); // served from the in-memory cache

    const report = await t.app.get(KeyRotationService).rotate();
    expect(report).toMatchObject({ kid: stored.next.kid, storage_backend: 'secret-manager' });
    const rotated = storedKeyset();
    expect(rotated.active.kid).toBe(stored.next.kid);
    expect(rotated.retired.map((k) => k.kid)).toEqual([stored.active.kid]);
    expect(vault.kvV2Versions('secret', 'anything-agents/keyset').length).toBeGreaterThanOrEqual(2);
    await t.http.get('/api/v1/auth/me').set('Authorization', user.authorization).expect(200);
  });
});
