import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppConfig } from '../../../platform/config/app-config';
import { AuthErrorCode, AuthException } from '../auth.errors';
import type { Principal } from '../principal';
import { resolveTenantContext, type TenantContext } from '../tenancy/tenant-context';
import { TENANT_REQUIREMENT, type TenantRequirement } from './auth-metadata';
import { assertEmailVerified } from './email-verification';

export type TenantRequest = Request & { user?: Principal; tenantContext?: TenantContext };

/**
 * Tenant context for tenant-scoped routes: verified email, tenant from the token (headers only
 * narrow), role requirement, and the path tenant matching the context.
 */
@Injectable()
export class TenantGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const requirement = this.reflector.getAllAndOverride<TenantRequirement>(TENANT_REQUIREMENT, [
      context.getHandler(),
      context.getClass(),
    ]);
    const request = context.switchToHttp().getRequest<TenantRequest>();
    const principal = request.user;
    if (!principal) throw AuthException.invalidToken();
    assertEmailVerified(this.config, principal);
    const tenant = resolveTenantContext(
      principal,
      request.header('x-tenant-id') ?? undefined,
      request.header('x-tenant-role') ?? undefined,
    );
    const pathTenant = requirement?.pathParam ? request.params[requirement.pathParam] : undefined;
    if (
      requirement?.mismatch === 'not_found' &&
      String(pathTenant).toLowerCase() !== tenant.tenantId
    ) {
      throw new AuthException(404, 'Tenant not found.', AuthErrorCode.TenantNotFound);
    }
    if (requirement && requirement.roles !== 'any' && !requirement.roles.includes(tenant.role)) {
      throw new AuthException(
        403,
        'Insufficient tenant privileges for this operation.',
        AuthErrorCode.InsufficientTenantRole,
      );
    }
    if (requirement?.pathParam && pathTenant !== tenant.tenantId) {
      throw new AuthException(
        403,
        'Tenant mismatch between request and credentials.',
        AuthErrorCode.TenantMismatch,
      );
    }
    request.tenantContext = tenant;
    return true;
  }
}
