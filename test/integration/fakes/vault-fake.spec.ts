import { verify as cryptoVerify } from 'node:crypto';
import { decodeStdBase64, startVaultFake, VaultFake } from '../../support/fakes';

interface VaultBody {
  data?: Record<string, unknown> & {
    data?: Record<string, unknown> | null;
    metadata?: Record<string, unknown>;
  };
  errors?: string[];
}

describe('Vault fake over the documented HTTP API', () => {
  const token = 'root-token';
  let vault: VaultFake;

  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = { 'X-Vault-Token': token },
  ): Promise<{ status: number; body: VaultBody }> => {
    const response = await fetch(`${vault.addr}/v1/${path}`, {
      method,
      headers: {
        ...headers,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as VaultBody) : {} };
  };

  beforeAll(async () => {
    vault = await startVaultFake({ token, kvV1Mounts: ['secret-v1'], kvV2Mounts: ['kv'] });
  });
  afterEach(() => vault.reset({ keys: true }));
  afterAll(() => vault.close());

  it('rejects a missing or wrong token with 403 permission denied', async () => {
    const attempts: Array<Record<string, string>> = [{}, { 'X-Vault-Token': 'nope' }];
    for (const headers of attempts) {
      const result = await call('GET', 'kv/data/app', undefined, headers);
      expect(result).toEqual({ status: 403, body: { errors: ['permission denied'] } });
    }
    expect(vault.lastRequest()?.token).toBe('nope');
  });

  it('creates an ed25519 key, signs standard-base64 input and exposes the public key', async () => {
    const created = await call('POST', 'transit/keys/jwt', { type: 'ed25519' });
    expect(created.status).toBe(200);
    expect(created.body.data).toMatchObject({
      type: 'ed25519',
      latest_version: 1,
      supports_signing: true,
    });

    const message = Buffer.from('header.payload?>>', 'utf8');
    const signed = await call('POST', 'transit/sign/jwt', { input: message.toString('base64') });
    expect(signed.status).toBe(200);
    expect(signed.body.data).toMatchObject({ key_version: 1 });
    const signature = String(signed.body.data?.signature);
    expect(signature).toMatch(/^vault:v1:[A-Za-z0-9+/]+=*$/);

    const rawSignature = Buffer.from(signature.slice('vault:v1:'.length), 'base64');
    expect(rawSignature).toHaveLength(64);
    const publicKey = vault.publicKey('jwt');
    expect(cryptoVerify(null, message, publicKey.keyObject, rawSignature)).toBe(true);
    expect(publicKey.raw).toHaveLength(32);
    expect(publicKey.pem).toContain('BEGIN PUBLIC KEY');

    const read = await call('GET', 'transit/keys/jwt');
    const versions = read.body.data?.keys as Record<string, { public_key: string }>;
    expect(versions['1'].public_key).toBe(publicKey.base64);
  });

  it('verifies valid, invalid, tampered and unprefixed signatures', async () => {
    vault.createTransitKey('jwt');
    const input = Buffer.from('signed bytes').toString('base64');
    const { body } = await call('POST', 'transit/sign/jwt', { input });
    const signature = String(body.data?.signature);

    await expect(call('POST', 'transit/verify/jwt', { input, signature })).resolves.toEqual({
      status: 200,
      body: expect.objectContaining({ data: { valid: true } }) as unknown,
    });
    const otherInput = Buffer.from('other bytes').toString('base64');
    expect(
      (await call('POST', 'transit/verify/jwt', { input: otherInput, signature })).body.data,
    ).toEqual({
      valid: false,
    });
    const sigBytes = Buffer.from(signature.slice(9), 'base64');
    sigBytes[0] ^= 0xff;
    const tampered = `vault:v1:${sigBytes.toString('base64')}`;
    expect(
      (await call('POST', 'transit/verify/jwt', { input, signature: tampered })).body.data,
    ).toEqual({
      valid: false,
    });
    const unprefixed = await call('POST', 'transit/verify/jwt', {
      input,
      signature: signature.slice(9),
    });
    expect(unprefixed).toEqual({ status: 400, body: { errors: ['invalid signature: no prefix'] } });
    const tooNew = await call('POST', 'transit/verify/jwt', {
      input,
      signature: signature.replace('v1', 'v9'),
    });
    expect(tooNew.body.errors).toEqual(['invalid signature: version is too new']);
  });

  it('rejects non-standard base64 input like Vault and requires the key to exist', async () => {
    vault.createTransitKey('jwt');
    const urlSafe = Buffer.from([0xfb, 0xff, 0xfe]).toString('base64url');
    const bad = await call('POST', 'transit/sign/jwt', { input: urlSafe });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      'unable to decode input as base64: illegal base64 data at input byte 0',
    ]);
    const unpadded = await call('POST', 'transit/sign/jwt', { input: 'YWJj ZA' });
    expect(unpadded.status).toBe(400);

    const missing = await call('POST', 'transit/sign/nokey', { input: 'YWJj' });
    expect(missing).toEqual({ status: 400, body: { errors: ['signing key not found'] } });
    expect(decodeStdBase64('YWJjZA==')).toEqual({ bytes: Buffer.from('abcd') });
  });

  it('signs with the latest version after rotation and still verifies older signatures', async () => {
    vault.createTransitKey('jwt');
    const input = Buffer.from('x').toString('base64');
    const v1 = String((await call('POST', 'transit/sign/jwt', { input })).body.data?.signature);
    const rotated = await call('POST', 'transit/keys/jwt/rotate');
    expect(rotated.body.data).toMatchObject({ latest_version: 2 });
    const v2 = String((await call('POST', 'transit/sign/jwt', { input })).body.data?.signature);
    expect(v2.startsWith('vault:v2:')).toBe(true);
    for (const signature of [v1, v2]) {
      expect((await call('POST', 'transit/verify/jwt', { input, signature })).body.data).toEqual({
        valid: true,
      });
    }
    expect(vault.publicKeys('jwt')).toHaveLength(2);
  });

  it('round-trips KV v1 secrets', async () => {
    expect((await call('GET', 'secret-v1/app/db')).status).toBe(404);
    expect(
      (await call('POST', 'secret-v1/app/db', { password: 's3cret', port: 5432 })).status,
    ).toBe(204);
    const read = await call('GET', 'secret-v1/app/db');
    expect(read.status).toBe(200);
    expect(read.body.data).toEqual({ password: 's3cret', port: 5432 });
    expect((await call('GET', 'secret-v1/app?list=true')).body.data).toEqual({ keys: ['db'] });
    expect((await call('DELETE', 'secret-v1/app/db')).status).toBe(204);
    expect(await call('GET', 'secret-v1/app/db')).toEqual({ status: 404, body: { errors: [] } });
  });

  it('round-trips KV v2 secrets with versions and check-and-set', async () => {
    expect(await call('GET', 'kv/data/app/config')).toEqual({ status: 404, body: { errors: [] } });
    const first = await call('POST', 'kv/data/app/config', { data: { jwt_secret: 'a' } });
    expect(first.body.data).toMatchObject({ version: 1, destroyed: false, deletion_time: '' });
    await call('PUT', 'kv/data/app/config', { data: { jwt_secret: 'b' }, options: { cas: 1 } });
    const read = await call('GET', 'kv/data/app/config');
    expect(read.body.data?.data).toEqual({ jwt_secret: 'b' });
    expect(read.body.data?.metadata).toMatchObject({ version: 2 });
    const old = await call('GET', 'kv/data/app/config?version=1');
    expect(old.body.data?.data).toEqual({ jwt_secret: 'a' });
    const conflict = await call('POST', 'kv/data/app/config', {
      data: { x: 1 },
      options: { cas: 1 },
    });
    expect(conflict).toEqual({
      status: 400,
      body: { errors: ['check-and-set parameter did not match the current version'] },
    });
    expect((await call('DELETE', 'kv/data/app/config')).status).toBe(204);
    expect((await call('GET', 'kv/data/app/config')).status).toBe(404);
    expect((await call('GET', 'kv/metadata/app/config')).body.data).toMatchObject({
      current_version: 2,
    });
    expect((await call('GET', 'kv/app/config')).status).toBe(404);
  });

  it('answers health, lookup-self, sealing and injected failures', async () => {
    const health = await fetch(`${vault.addr}/v1/sys/health`);
    expect(health.status).toBe(200);
    expect((await call('GET', 'auth/token/lookup-self')).body.data).toMatchObject({
      id: token,
      policies: ['root'],
    });
    vault.failNext(1, { status: 503, errors: ['Vault is sealed'] }, { path: /\/transit\// });
    expect((await call('POST', 'transit/keys/k', { type: 'ed25519' })).status).toBe(503);
    expect((await call('POST', 'transit/keys/k', { type: 'ed25519' })).status).toBe(200);
    vault.setSealed(true);
    expect((await fetch(`${vault.addr}/v1/sys/health`)).status).toBe(503);
    expect(await call('GET', 'kv/data/x')).toEqual({
      status: 503,
      body: { errors: ['Vault is sealed'] },
    });
  });
});
