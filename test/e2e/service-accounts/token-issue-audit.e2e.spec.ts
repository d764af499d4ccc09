import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { startTestApp, type TestApp } from '../../support/test-app';

interface AuditRow {
  action: string;
  tenant_id: string | null;
  actor_user_id: string | null;
  actor_account: string | null;
  target_type: string | null;
  target_id: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
}

describe('service-account token issuance in the audit log', () => {
  let t: TestApp;
  const issue = (body: Record<string, unknown>) =>
    t.http
      .post('/api/v1/auth/service-accounts/issue')
      .set('Authorization', 'Bearer dev-local')
      .send(body);
  const auditFor = (tokenIds: string[]) =>
    t.dataSource.query<AuditRow[]>(
      `SELECT action, tenant_id, actor_user_id, actor_account, target_type, target_id,
              request_id, details
         FROM audit_events
        WHERE action = 'service_account.token_issued' AND details->>'token_id' = ANY($1)
        ORDER BY occurred_at, id`,
      [tokenIds],
    );

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('records a newly minted tenant token once (a reuse is no new issuance), never the token', async () => {
    const tenantId = randomUUID();
    const body = {
      account: 'analytics-batch',
      scopes: ['conversations:read'],
      tenant_id: tenantId,
    };
    const first = await issue(body).expect(201);
    const reused = await issue(body).expect(201);
    expect(reused.body.refresh_token).toBe(first.body.refresh_token);
    const jti = String(decodeJwt(first.body.refresh_token as string).jti);

    const rows = await auditFor([jti]);
    expect(rows).toEqual([
      {
        action: 'service_account.token_issued',
        tenant_id: tenantId,
        actor_user_id: null,
        actor_account: null,
        target_type: 'service_account',
        target_id: 'analytics-batch',
        request_id: first.headers['x-request-id'],
        details: expect.objectContaining({
          scopes: ['conversations:read'],
          token_id: jti,
          tenant_id: tenantId,
          kid: first.body.kid,
        }),
      },
    ]);
    expect(JSON.stringify(rows)).not.toContain(first.body.refresh_token as string);

    const forced = await issue({ ...body, force: true }).expect(201);
    const forcedJti = String(decodeJwt(forced.body.refresh_token as string).jti);
    expect(await auditFor([jti, forcedJti])).toHaveLength(2);
  });

  it('records a tenantless token with no tenant', async () => {
    const response = await issue({ account: 'support-console', scopes: ['support:*'] }).expect(201);
    const jti = String(decodeJwt(response.body.refresh_token as string).jti);
    expect(await auditFor([jti])).toEqual([
      expect.objectContaining({
        tenant_id: null,
        target_id: 'support-console',
        details: expect.objectContaining({ scopes: ['support:*'], tenant_id: null }),
      }),
    ]);
  });
});
