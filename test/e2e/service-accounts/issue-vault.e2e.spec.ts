import { randomUUID } from 'node:crypto';
import { startVaultFake, type VaultFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';
import {
  buildVaultEnvelope,
  encodeVaultEnvelope,
} from '../../../src/modules/auth/service-accounts/vault-signed-request';

const VAULT_TOKEN = 'root-token';
const TRANSIT_KEY = 'auth-service';

describe('service-account issuance with Vault Transit signatures (decision A7)', () => {
  let vault: VaultFake;
  let t: TestApp;

  /** Signs like Vault's own clients do: standard base64 input, signature returned verbatim. */
  const vaultSign = async (input: string): Promise<string> => {
    const response = await fetch(`${vault.addr}/v1/transit/sign/${TRANSIT_KEY}`, {
      method: 'POST',
      headers: { 'X-Vault-Token': VAULT_TOKEN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ input }),
    });
    const body = (await response.json()) as { data: { signature: string } };
    return body.data.signature;
  };

  const signed = async (envelope: Record<string, unknown>) => {
    const payload = encodeVaultEnvelope(envelope);
    return { payload, signature: await vaultSign(payload) };
  };

  const post = (
    body: Record<string, unknown>,
    headers: { authorization: string; payload?: string },
  ) => {
    const request = t.http
      .post('/api/v1/auth/service-accounts/issue')
      .set('Authorization', headers.authorization);
    if (headers.payload !== undefined) request.set('X-Vault-Payload', headers.payload);
    return request.send(body);
  };

  const nonceExists = async (nonce: string) =>
    (await t.redis.client.exists(`auth:nonce:${nonce}`)) === 1;

  beforeAll(async () => {
    vault = await startVaultFake({ token: VAULT_TOKEN, transitKeys: [TRANSIT_KEY] });
    t = await startTestApp({
      env: {
        VAULT_ADDR: vault.addr,
        VAULT_TOKEN,
        VAULT_TRANSIT_KEY: TRANSIT_KEY,
        VAULT_VERIFY_ENABLED: 'true',
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await vault.close();
  });

  it('accepts a Vault-signed request: full vault:v1: signature and standard base64 go to verify', async () => {
    const tenantId = randomUUID();
    const envelope = buildVaultEnvelope({
      account: 'analytics-batch',
      scopes: ['conversations:read'],
      tenantId,
      fingerprint: 'nightly',
    });
    const { payload, signature } = await signed(envelope);
    expect(signature).toMatch(/^vault:v1:/);
    const response = await post(
      { account: 'analytics-batch', scopes: ['conversations:read'], tenant_id: tenantId },
      { authorization: `Bearer ${signature}`, payload },
    ).expect(201);
    expect(response.body).toMatchObject({
      account: 'analytics-batch',
      tenant_id: tenantId,
      scopes: ['conversations:read'],
      token_use: 'refresh',
    });
    const verify = vault.requests.find((r) => r.path === `/v1/transit/verify/${TRANSIT_KEY}`);
    expect(verify?.body).toEqual({ input: payload, signature });
    expect(verify?.status).toBe(200);
    // The signed fingerprint was copied into the request.
    const rows = await t.dataSource.query<{ fingerprint: string }[]>(
      'SELECT fingerprint FROM service_account_tokens WHERE tenant_id = $1',
      [tenantId],
    );
    expect(rows).toEqual([{ fingerprint: 'nightly' }]);
    // The nonce is remembered for the whole acceptance window (iat -30 s .. +600 s).
    const ttl = await t.redis.client.ttl(`auth:nonce:${envelope.nonce as string}`);
    expect(ttl).toBeGreaterThan(600);
    expect(ttl).toBeLessThanOrEqual(630);
  });

  it('refuses a replayed payload with the reference message', async () => {
    const body = { account: 'support-console', scopes: ['support:*'] };
    const { payload, signature } = await signed(buildVaultEnvelope(body));
    const headers = { authorization: `Bearer ${signature}`, payload };
    await post(body, headers).expect(201);
    const replay = await post(body, headers).expect(401);
    expect(replay.body).toMatchObject({
      error: 'Vault payload nonce already used.',
      code: 'vault_nonce_reused',
    });
    const metrics = await t.http.get('/metrics').expect(200);
    expect(metrics.text).toMatch(/^nonce_cache_hits_total [1-9]/m);
    expect(metrics.text).toMatch(/^nonce_cache_misses_total [1-9]/m);
  });

  it('refuses a stale iat or an expired payload without burning the nonce', async () => {
    const body = { account: 'support-console', scopes: ['support:*'] };
    const now = new Date();
    const stale = buildVaultEnvelope({ ...body, now: new Date(now.getTime() - 700_000) });
    stale.exp = Math.floor(now.getTime() / 1000) + 60; // still unexpired: only iat is too old
    const staleRequest = await signed(stale);
    const tooOld = await post(body, {
      authorization: `Bearer ${staleRequest.signature}`,
      payload: staleRequest.payload,
    }).expect(401);
    expect(tooOld.body.message).toBe('Vault payload iat outside acceptable window.');
    expect(await nonceExists(stale.nonce as string)).toBe(false);

    const future = buildVaultEnvelope({ ...body, now: new Date(now.getTime() + 120_000) });
    const futureRequest = await signed(future);
    const ahead = await post(body, {
      authorization: `Bearer ${futureRequest.signature}`,
      payload: futureRequest.payload,
    }).expect(401);
    expect(ahead.body.message).toBe('Vault payload iat is in the future.');

    const expired = buildVaultEnvelope({ ...body, expiresInSeconds: -1 });
    const expiredRequest = await signed(expired);
    const late = await post(body, {
      authorization: `Bearer ${expiredRequest.signature}`,
      payload: expiredRequest.payload,
    }).expect(401);
    expect(late.body.message).toBe('Vault payload expired.');
    expect(await nonceExists(expired.nonce as string)).toBe(false);
  });

  it('refuses a signature over another payload', async () => {
    const body = { account: 'support-console', scopes: ['support:*'] };
    const other = await signed(buildVaultEnvelope(body));
    const envelope = buildVaultEnvelope(body);
    const response = await post(body, {
      authorization: `Bearer ${other.signature}`,
      payload: encodeVaultEnvelope(envelope),
    }).expect(401);
    expect(response.body).toMatchObject({
      message: 'Invalid Vault signature.',
      code: 'vault_signature_invalid',
    });
    expect(await nonceExists(envelope.nonce as string)).toBe(false);
  });

  it('refuses a signature without its vault:v<n>: prefix or with a wrong key version', async () => {
    const body = { account: 'support-console', scopes: ['support:*'] };
    const { payload, signature } = await signed(buildVaultEnvelope(body));
    const stripped = signature.replace(/^vault:v1:/, 'vault:');
    const noPrefix = await post(body, { authorization: `Bearer ${stripped}`, payload }).expect(401);
    expect(noPrefix.body.message).toBe('Vault signature must keep its vault:v<version>: prefix.');

    const wrongVersion = signature.replace(/^vault:v1:/, 'vault:v7:');
    const tooNew = await post(body, { authorization: `Bearer ${wrongVersion}`, payload }).expect(
      401,
    );
    expect(tooNew.body).toMatchObject({
      message: 'Vault verification failed: HTTP 400',
      code: 'vault_verification_failed',
    });
    // Neither attempt spent the nonce: the genuine request still goes through.
    await post(body, { authorization: `Bearer ${signature}`, payload }).expect(201);
  });

  it("still decodes the reference CLI's unpadded base64url payload", async () => {
    const body = { account: 'support-console', scopes: ['support:*'] };
    // A fingerprint length whose encoding needs padding, so the two encodings differ.
    const fingerprint = ['f', 'ff', 'fff'].find((candidate) =>
      encodeVaultEnvelope(buildVaultEnvelope({ ...body, fingerprint: candidate })).endsWith('='),
    );
    const { payload, signature } = await signed(buildVaultEnvelope({ ...body, fingerprint }));
    const urlSafe = Buffer.from(payload, 'base64').toString('base64url');
    expect(urlSafe).not.toBe(payload);
    await post(body, { authorization: `Bearer ${signature}`, payload: urlSafe }).expect(201);
  });

  it('checks iss and sub, and honours a signed tenant the request omitted', async () => {
    const body = { account: 'billing-worker', scopes: ['billing:read'] };
    const tenantId = randomUUID();
    const badIssuer = await signed({ ...buildVaultEnvelope(body), iss: 'someone-else' });
    const issuer = await post(
      { ...body, tenant_id: tenantId },
      { authorization: `Bearer ${badIssuer.signature}`, payload: badIssuer.payload },
    ).expect(401);
    expect(issuer.body.message).toBe('Vault payload issuer invalid.');
    const badSubject = await signed({ ...buildVaultEnvelope(body), sub: '' });
    const subject = await post(
      { ...body, tenant_id: tenantId },
      { authorization: `Bearer ${badSubject.signature}`, payload: badSubject.payload },
    ).expect(401);
    expect(subject.body.message).toBe('Vault payload subject invalid.');

    const withTenant = await signed(buildVaultEnvelope({ ...body, tenantId }));
    const honoured = await post(body, {
      authorization: `Bearer ${withTenant.signature}`,
      payload: withTenant.payload,
    }).expect(201);
    expect(honoured.body.tenant_id).toBe(tenantId);

    const other = await signed(buildVaultEnvelope({ ...body, tenantId }));
    const mismatch = await post(
      { ...body, tenant_id: randomUUID() },
      { authorization: `Bearer ${other.signature}`, payload: other.payload },
    ).expect(400);
    expect(mismatch.body.message).toBe('Vault payload tenant mismatch.');
  });

  it('compares scopes, lifetime and fingerprint with the signed claims', async () => {
    const body = { account: 'synthetic-monitor', scopes: ['tools:read'], tenant_id: randomUUID() };
    const base = { account: body.account, scopes: body.scopes, tenantId: body.tenant_id };
    const cases: [Record<string, unknown>, Record<string, unknown>, number, string][] = [
      [{ ...base, scopes: ['billing:read'] }, body, 400, 'Vault payload scopes mismatch.'],
      [base, { ...body, lifetime_minutes: 60 }, 400, 'Vault payload missing lifetime_minutes.'],
      [
        { ...base, lifetimeMinutes: 30 },
        { ...body, lifetime_minutes: 60 },
        400,
        'Vault payload lifetime_minutes mismatch.',
      ],
      [
        { ...base, fingerprint: 'a' },
        { ...body, fingerprint: 'b' },
        400,
        'Vault payload fingerprint mismatch.',
      ],
      [{ ...base, account: 'billing-worker' }, body, 400, 'Vault payload account mismatch.'],
    ];
    for (const [claims, request, status, message] of cases) {
      const envelope = buildVaultEnvelope(
        claims as unknown as Parameters<typeof buildVaultEnvelope>[0],
      );
      const { payload, signature } = await signed(envelope);
      const response = await post(request, { authorization: `Bearer ${signature}`, payload });
      expect({ status: response.status, message: response.body.message }).toEqual({
        status,
        message,
      });
    }
    const missing = await post(body, { authorization: 'Bearer vault:v1:abc' }).expect(401);
    expect(missing.body.message).toBe('Missing X-Vault-Payload header.');
    const garbage = await post(body, {
      authorization: 'Bearer vault:v1:abc',
      payload: '%%%',
    }).expect(400);
    expect(garbage.body.message).toMatch(/^Invalid Vault payload encoding: /);
    const fields = await post(body, {
      authorization: 'Bearer vault:v1:abc',
      payload: encodeVaultEnvelope({ account: 'synthetic-monitor' }),
    }).expect(401);
    expect(fields.body.message).toBe(
      'Vault payload missing fields: iss, aud, sub, nonce, iat, exp, scopes',
    );
  });

  it('refuses dev-local while Vault verification is on', async () => {
    const response = await post(
      { account: 'support-console', scopes: ['support:*'] },
      { authorization: 'Bearer dev-local' },
    ).expect(401);
    expect(response.body.message).toBe(
      'Vault-signed credential required for service-account issuance.',
    );
  });

  it('answers 503 when Vault fails, and the payload stays usable', async () => {
    const body = { account: 'support-console', scopes: ['support:*'] };
    const { payload, signature } = await signed(buildVaultEnvelope(body));
    vault.failNext(1, { status: 500, errors: ['internal error'] }, { path: /transit\/verify/ });
    const failed = await post(body, { authorization: `Bearer ${signature}`, payload }).expect(503);
    expect(failed.body).toMatchObject({
      message: 'Vault verification unavailable. Retry later.',
      code: 'vault_unavailable',
    });
    await post(body, { authorization: `Bearer ${signature}`, payload }).expect(201);
  });
});
