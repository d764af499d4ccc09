import { randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { IssuanceRateLimiter } from '../../../src/modules/auth/service-accounts/issuance-rate-limiter';
import { newRedisKeyPrefix, startTestApp, type TestApp } from '../../support/test-app';

interface TokenRow {
  account: string;
  tenant_id: string | null;
  scopes: string[];
  scope_key: string;
  refresh_token_hash: string;
  refresh_jti: string;
  signing_kid: string;
  fingerprint: string | null;
  revoked_at: Date | null;
  revoked_reason: string | null;
}

describe('POST /api/v1/auth/service-accounts/issue with Bearer dev-local (development)', () => {
  let t: TestApp;
  const issue = (body: Record<string, unknown>, authorization = 'Bearer dev-local') =>
    t.http
      .post('/api/v1/auth/service-accounts/issue')
      .set('Authorization', authorization)
      .send(body);
  const rowsOf = (account: string) =>
    t.dataSource.query<TokenRow[]>(
      'SELECT * FROM service_account_tokens WHERE account = $1 ORDER BY issued_at, created_at',
      [account],
    );

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('issues a signed refresh token with the reference claims and stores only its hash', async () => {
    const tenantId = randomUUID();
    const response = await issue({
      account: 'analytics-batch',
      scopes: [' conversations:read ', 'conversations:read'],
      tenant_id: tenantId,
      fingerprint: 'ci-job-42',
    }).expect(201);
    const body = response.body as Record<string, unknown>;
    expect(body).toMatchObject({
      account: 'analytics-batch',
      scopes: ['conversations:read'],
      tenant_id: tenantId,
      token_use: 'refresh',
      session_id: null,
    });
    expect(body.issued_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/);
    const token = body.refresh_token as string;
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA', kid: body.kid, typ: 'JWT' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      sub: 'service-account:analytics-batch',
      account: 'analytics-batch',
      token_use: 'refresh',
      scope: 'conversations:read',
      tenant_id: tenantId,
      fingerprint: 'ci-job-42',
      iss: 'anything-agents',
    });
    expect(claims.aud).toBeUndefined();
    expect((claims.exp as number) - (claims.iat as number)).toBe(43200 * 60);

    // Other suites issue for the same account in the shared run database: pick ours by tenant.
    const [row] = (await rowsOf('analytics-batch')).filter((r) => r.tenant_id === tenantId);
    expect(row).toMatchObject({
      tenant_id: tenantId,
      scopes: ['conversations:read'],
      scope_key: 'conversations:read',
      refresh_jti: claims.jti,
      signing_kid: body.kid,
      fingerprint: 'ci-job-42',
      revoked_at: null,
    });
    expect(row.refresh_token_hash).toMatch(/^hmac-sha256\$[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it('reuses the active token (identical token, nothing saved) unless force is set', async () => {
    const tenantId = randomUUID();
    const request = { account: 'synthetic-monitor', scopes: ['tools:read'], tenant_id: tenantId };
    const first = await issue(request).expect(201);
    const again = await issue({ ...request, lifetime_minutes: 5 }).expect(201);
    expect(again.body.refresh_token).toBe(first.body.refresh_token);
    expect(again.body.issued_at).toBe(first.body.issued_at);
    let rows = (await rowsOf('synthetic-monitor')).filter((r) => r.tenant_id === tenantId);
    expect(rows).toHaveLength(1);

    const forced = await issue({ ...request, force: true }).expect(201);
    expect(forced.body.refresh_token).not.toBe(first.body.refresh_token);
    rows = (await rowsOf('synthetic-monitor')).filter((r) => r.tenant_id === tenantId);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ revoked_reason: 'replaced' });
    expect(rows[0].revoked_at).not.toBeNull();
    expect(rows[1]).toMatchObject({ revoked_at: null });
  });

  it('applies the catalog rules with the reference messages', async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ account: 'nope', scopes: ['x'] }, 400, "Service account 'nope' is not defined."],
      [
        { account: 'billing-worker', scopes: ['billing:read'] },
        400,
        "Service account 'billing-worker' requires a tenant identifier.",
      ],
      [
        { account: 'support-console', scopes: ['support:*'], tenant_id: randomUUID() },
        400,
        "Service account 'support-console' does not accept tenant identifiers.",
      ],
      [
        { account: 'support-console', scopes: [' ', ''] },
        400,
        'At least one scope must be requested.',
      ],
      [
        { account: 'support-console', scopes: ['support:read', 'billing:manage'] },
        400,
        'Unsupported scopes requested: billing:manage, support:read',
      ],
      [
        { account: 'support-console', scopes: ['support:*'], lifetime_minutes: 0 },
        400,
        'Requested lifetime must be positive.',
      ],
      [
        { account: 'support-console', scopes: ['support:*'], lifetime_minutes: 10081 },
        400,
        "Requested lifetime 10081 exceeds max 10080 for account 'support-console'.",
      ],
    ];
    for (const [body, status, message] of cases) {
      const response = await issue(body).expect(status);
      expect(response.body).toMatchObject({ success: false, error: message, message });
    }
  });

  it('answers a non-UUID tenant with 422 and header problems with 401', async () => {
    const invalid = await issue({
      account: 'billing-worker',
      scopes: ['billing:read'],
      tenant_id: 'x',
    });
    expect(invalid.status).toBe(422);

    const body = { account: 'support-console', scopes: ['support:*'] };
    const missing = await t.http.post('/api/v1/auth/service-accounts/issue').send(body).expect(401);
    expect(missing.body.message).toBe('Missing Authorization header.');
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    const basic = await issue(body, 'Basic abc').expect(401);
    expect(basic.body.message).toBe('Authorization header must use Bearer scheme.');
    const other = await issue(body, 'Bearer something-else').expect(401);
    expect(other.body.message).toBe(
      'Vault-signed credential required for service-account issuance.',
    );
    const vault = await issue(body, 'Bearer vault:v1:abc').expect(503);
    expect(vault.body.message).toBe(
      'Vault verification disabled; cannot accept vault credentials.',
    );
  });

  it('counts issuance metrics with the reference labels', async () => {
    await issue({
      account: 'billing-worker',
      scopes: ['billing:read'],
      tenant_id: randomUUID(),
    }).expect(201);
    const metrics = await t.http.get('/metrics').expect(200);
    expect(metrics.text).toMatch(
      /service_account_issuance_total\{account="billing-worker",result="success",reason="success_issued",reused="false"\} 1/,
    );
    expect(metrics.text).toMatch(
      /service_account_issuance_total\{account="unknown",result="failure",reason="service_error",reused="false"\} \d+/,
    );
  });
});

describe('service-account issuance rate limits are shared by every replica', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    const REDIS_KEY_PREFIX = newRedisKeyPrefix();
    a = await startTestApp({ env: { REDIS_KEY_PREFIX } });
    b = await startTestApp({ env: { REDIS_KEY_PREFIX } });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('refuses the sixth request of an account within a minute, whichever replica gets it', async () => {
    const body = { account: 'support-console', scopes: ['support:*'] };
    for (const app of [a, b, a, b, a]) {
      await app.http
        .post('/api/v1/auth/service-accounts/issue')
        .set('Authorization', 'Bearer dev-local')
        .send(body)
        .expect(201);
    }
    const refused = await b.http
      .post('/api/v1/auth/service-accounts/issue')
      .set('Authorization', 'Bearer dev-local')
      .send(body)
      .expect(429);
    expect(refused.body.message).toBe(
      "Issuance rate limit exceeded for account 'support-console'. Retry later.",
    );
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Other accounts have their own window.
    await a.http
      .post('/api/v1/auth/service-accounts/issue')
      .set('Authorization', 'Bearer dev-local')
      .send({ account: 'billing-worker', scopes: ['billing:read'], tenant_id: randomUUID() })
      .expect(201);
  });
});

describe('the global service-account issuance limit', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses the 31st issuance within a minute across accounts', async () => {
    const limiter = t.app.get(IssuanceRateLimiter);
    for (let i = 0; i < 30; i += 1) await limiter.hit(`account-${i % 6}`);
    await expect(limiter.hit('account-6')).rejects.toMatchObject({
      message: 'Global service-account issuance rate limit exceeded. Retry later.',
    });
    await expect(limiter.hit('account-6')).rejects.toMatchObject({ status: 429 });
  });

  it('publishes the issuance and exchange operations in the OpenAPI document', async () => {
    const openapi = await t.http.get('/openapi.json').expect(200);
    const paths = openapi.body.paths as Record<string, Record<string, { operationId: string }>>;
    expect(paths['/api/v1/auth/service-accounts/issue'].post.operationId).toBe(
      'issue_service_account_token_api_v1_auth_service_accounts_issue_post',
    );
    expect(paths['/api/v1/auth/service-accounts/token'].post.operationId).toBe(
      'exchange_service_account_token_api_v1_auth_service_accounts_token_post',
    );
  });
});
