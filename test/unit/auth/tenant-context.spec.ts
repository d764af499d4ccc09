import { Reflector } from '@nestjs/core';
import type { ExecutionContext } from '@nestjs/common';
import { RequireTenantRoles } from '../../../src/modules/auth/decorators/auth.decorators';
import { TenantGuard, type TenantRequest } from '../../../src/modules/auth/guards/tenant.guard';
import type { Principal } from '../../../src/modules/auth/principal';
import { ADMIN_SCOPES, VIEWER_SCOPES } from '../../../src/modules/auth/scopes/scope-policy';
import {
  grantedTenantRole,
  resolveTenantContext,
} from '../../../src/modules/auth/tenancy/tenant-context';
import { testConfig } from './helpers';

const TENANT = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';

function principal(
  overrides: Partial<Principal> & { roles?: string[]; scope?: string },
): Principal {
  const scopes = overrides.scope?.split(' ') ?? [...ADMIN_SCOPES];
  const roles = overrides.roles ?? ['owner'];
  return {
    kind: 'user',
    subject: 'user:33333333-3333-4333-8333-333333333333',
    userId: '33333333-3333-4333-8333-333333333333',
    account: null,
    tenantId: TENANT,
    roles,
    scopes,
    emailVerified: true,
    sessionId: null,
    tokenId: 'jti',
    payload: { roles, scope: scopes.join(' '), tenant_id: overrides.tenantId ?? TENANT },
    ...overrides,
  };
}

async function expectStatus(fn: () => unknown, status: number, message: string): Promise<void> {
  try {
    await fn();
  } catch (error) {
    expect((error as { getStatus(): number }).getStatus()).toBe(status);
    expect((error as Error).message).toBe(message);
    return;
  }
  throw new Error('expected a failure');
}

describe('tenant context', () => {
  it('takes the tenant from the token; a matching X-Tenant-Id is fine', () => {
    expect(resolveTenantContext(principal({}), TENANT, undefined)).toEqual({
      tenantId: TENANT,
      role: 'owner',
    });
  });

  it('refuses an X-Tenant-Id naming another tenant', async () => {
    await expectStatus(
      () => resolveTenantContext(principal({}), OTHER, undefined),
      403,
      'Tenant mismatch between token and X-Tenant-Id header.',
    );
  });

  it('down-scopes an owner token to viewer with X-Tenant-Role', () => {
    expect(resolveTenantContext(principal({}), undefined, 'Viewer').role).toBe('viewer');
  });

  it('refuses a role above the granted one', async () => {
    const viewer = principal({ roles: ['viewer'], scope: VIEWER_SCOPES.join(' ') });
    await expectStatus(
      () => resolveTenantContext(viewer, undefined, 'owner'),
      403,
      'Requested tenant role exceeds privileges granted by token.',
    );
  });

  it('ignores unknown role header values', () => {
    expect(resolveTenantContext(principal({}), undefined, 'superuser').role).toBe('owner');
  });

  it('maps admin + billing:manage to owner (pinned) and no role to viewer', () => {
    expect(grantedTenantRole(principal({ roles: ['admin'] }))).toBe('owner');
    expect(grantedTenantRole(principal({ roles: [], scope: 'tools:read' }))).toBe('viewer');
  });

  it('a tenantless token may not name a tenant by header without support:*', async () => {
    const tenantless = principal({ tenantId: null });
    await expectStatus(
      () => resolveTenantContext(tenantless, TENANT, undefined),
      401,
      'Authenticated token is missing tenant context.',
    );
    const support = principal({ tenantId: null, scope: 'support:*' });
    expect(resolveTenantContext(support, OTHER, undefined).tenantId).toBe(OTHER);
  });
});

describe('TenantGuard', () => {
  class Routes {
    @RequireTenantRoles(['owner'])
    ownerOnly(): void {}

    @RequireTenantRoles(['owner', 'admin', 'viewer'], { pathParam: 'tenant_id' })
    byPath(): void {}
  }

  function contextFor(
    handler: keyof Routes,
    user: Principal,
    headers: Record<string, string> = {},
    params: Record<string, string> = {},
  ): { context: ExecutionContext; request: TenantRequest } {
    const request = {
      user,
      params,
      header: (name: string) => headers[name.toLowerCase()],
    } as unknown as TenantRequest;
    const context = {
      getHandler: () => Routes.prototype[handler],
      getClass: () => Routes,
      switchToHttp: () => ({ getRequest: () => request }),
    } as unknown as ExecutionContext;
    return { context, request };
  }

  const guard = new TenantGuard(new Reflector(), testConfig());

  it('lets an owner token reach an owner-only route and sets the context', () => {
    const { context, request } = contextFor('ownerOnly', principal({}));
    expect(guard.canActivate(context)).toBe(true);
    expect(request.tenantContext).toEqual({ tenantId: TENANT, role: 'owner' });
  });

  it('refuses an owner token down-scoped to viewer on an owner-only route', async () => {
    const { context } = contextFor('ownerOnly', principal({}), { 'x-tenant-role': 'viewer' });
    await expectStatus(
      () => guard.canActivate(context),
      403,
      'Insufficient tenant privileges for this operation.',
    );
  });

  it('requires the path tenant to equal the context tenant', async () => {
    const ok = contextFor('byPath', principal({}), {}, { tenant_id: TENANT });
    expect(guard.canActivate(ok.context)).toBe(true);
    const other = contextFor('byPath', principal({}), {}, { tenant_id: OTHER });
    await expectStatus(
      () => guard.canActivate(other.context),
      403,
      'Tenant mismatch between request and credentials.',
    );
  });

  it('applies the email-verification gate first', async () => {
    const { context } = contextFor('ownerOnly', principal({ emailVerified: false }));
    await expectStatus(() => guard.canActivate(context), 403, 'Email verification required.');
  });
});
