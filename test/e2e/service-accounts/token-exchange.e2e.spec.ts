import { Controller, Get, Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { CurrentPrincipal, RequireScopes, type Principal } from '../../../src/modules/auth';
import { createTestUser } from '../../support/auth-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

/** A test-only route guarded by a scope no service account in the catalog holds. */
@Controller('test/service-accounts')
class ScopeProbeController {
  @Get('billing')
  @RequireScopes('billing:manage')
  billing(@CurrentPrincipal() principal: Principal): Record<string, unknown> {
    return { kind: principal.kind, account: principal.account, tenant_id: principal.tenantId };
  }
}

@Module({ controllers: [ScopeProbeController] })
class ScopeProbeModule {}

describe('service-account tokens are exchanged for access tokens usable on scope-guarded routes', () => {
  let t: TestApp;

  const issue = async (body: Record<string, unknown>) =>
    (
      await t.http
        .post('/api/v1/auth/service-accounts/issue')
        .set('Authorization', 'Bearer dev-local')
        .send(body)
        .expect(201)
    ).body as { refresh_token: string; tenant_id: string | null };
  const exchange = (refreshToken: string) =>
    t.http.post('/api/v1/auth/service-accounts/token').send({ refresh_token: refreshToken });

  beforeAll(async () => {
    t = await startTestApp({ extraImports: [ScopeProbeModule] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('mints a short-lived access token with the service-account subject, audience and scopes', async () => {
    const tenantId = randomUUID();
    const issued = await issue({
      account: 'synthetic-monitor',
      scopes: ['tools:read', 'conversations:write'],
      tenant_id: tenantId,
    });
    const response = await exchange(issued.refresh_token).expect(200);
    expect(response.body).toMatchObject({
      token_type: 'bearer',
      expires_in: 15 * 60,
      scope: 'conversations:write tools:read',
      tenant_id: tenantId,
      account: 'synthetic-monitor',
    });
    const claims = decodeJwt(response.body.access_token as string);
    expect(claims).toMatchObject({
      sub: 'service-account:synthetic-monitor',
      account: 'synthetic-monitor',
      token_use: 'access',
      scope: 'conversations:write tools:read',
      tenant_id: tenantId,
      aud: t.config.AUTH_AUDIENCE,
      iss: 'anything-agents',
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(15 * 60);
    expect(claims.sid).toBeUndefined();
  });

  it('is accepted where its scopes allow (GET /api/v1/tools) and nowhere else', async () => {
    const issued = await issue({
      account: 'synthetic-monitor',
      scopes: ['tools:read'],
      tenant_id: randomUUID(),
    });
    const { access_token: accessToken } = (await exchange(issued.refresh_token).expect(200))
      .body as { access_token: string };
    const bearer = `Bearer ${accessToken}`;

    const tools = await t.http.get('/api/v1/tools').set('Authorization', bearer).expect(200);
    expect(Array.isArray(tools.body.tool_names)).toBe(true);

    const me = await t.http.get('/api/v1/auth/me').set('Authorization', bearer).expect(401);
    expect(me.body).toMatchObject({
      message: 'Token subject must reference a user account.',
      code: 'user_subject_required',
    });

    const missingScope = await t.http
      .get('/test/service-accounts/billing')
      .set('Authorization', bearer)
      .expect(403);
    expect(missingScope.body.message).toBe('Insufficient scopes for this operation.');
  });

  it('carries the principal of the service account into the route', async () => {
    const tenantId = randomUUID();
    const issued = await issue({
      account: 'billing-worker',
      scopes: ['billing:manage'],
      tenant_id: tenantId,
    });
    const { access_token: accessToken } = (await exchange(issued.refresh_token).expect(200))
      .body as { access_token: string };
    const response = await t.http
      .get('/test/service-accounts/billing')
      .set('Authorization', `Bearer ${accessToken}`)
      .expect(200);
    expect(response.body).toEqual({
      kind: 'service_account',
      account: 'billing-worker',
      tenant_id: tenantId,
    });
  });

  it('refuses replaced, revoked, expired-row and non-service-account tokens', async () => {
    const body = {
      account: 'synthetic-monitor',
      scopes: ['billing:read'],
      tenant_id: randomUUID(),
    };
    const first = await issue(body);
    await issue({ ...body, force: true });
    const replaced = await exchange(first.refresh_token).expect(401);
    expect(replaced.body).toMatchObject({
      message: 'Invalid service-account token.',
      code: 'invalid_service_account_token',
    });

    const current = await issue(body);
    await exchange(current.refresh_token).expect(200);
    await t.dataSource.query(
      "UPDATE service_account_tokens SET revoked_at = now(), revoked_reason = 'test' WHERE refresh_jti = $1",
      [decodeJwt(current.refresh_token).jti],
    );
    await exchange(current.refresh_token).expect(401);

    const user = await createTestUser(t);
    await exchange(user.accessToken).expect(401);
    await exchange('not-a-jwt').expect(401);
    const invalid = await t.http.post('/api/v1/auth/service-accounts/token').send({}).expect(422);
    expect(invalid.body.error).toBe('ValidationError');
  });

  it('never accepts the refresh token itself as a bearer token', async () => {
    const issued = await issue({
      account: 'analytics-batch',
      scopes: ['conversations:read'],
      tenant_id: randomUUID(),
    });
    const response = await t.http
      .get('/api/v1/tools')
      .set('Authorization', `Bearer ${issued.refresh_token}`)
      .expect(401);
    expect(response.body.code).toBe('invalid_token');
  });
});
