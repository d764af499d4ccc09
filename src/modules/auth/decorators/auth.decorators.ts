import {
  applyDecorators,
  createParamDecorator,
  SetMetadata,
  UseGuards,
  type ExecutionContext,
} from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { Principal } from '../principal';
import type { TenantContext, TenantRole } from '../tenancy/tenant-context';
import {
  REQUIRED_SCOPES,
  TENANT_REQUIREMENT,
  USER_ONLY,
  type TenantRequirement,
} from '../guards/auth-metadata';
import { BearerAuthGuard } from '../guards/bearer-auth.guard';
import { ScopesGuard } from '../guards/scopes.guard';
import { TenantGuard, type TenantRequest } from '../guards/tenant.guard';

/** Any valid user access token (no scope, no email gate): `/auth/me`, logout, sessions. */
export function Authenticated(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(USER_ONLY, true),
    UseGuards(BearerAuthGuard),
    ApiBearerAuth('bearer'),
  );
}

/**
 * Requires every listed scope (wildcards honoured) and a verified email. Service-account tokens
 * holding the scopes pass unless the route is also `@UserOnly()`.
 */
export function RequireScopes(...scopes: string[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_SCOPES, scopes),
    UseGuards(BearerAuthGuard, ScopesGuard),
    ApiBearerAuth('bearer'),
  );
}

/** Marks a scope-guarded route as usable by human users only. */
export function UserOnly(): MethodDecorator & ClassDecorator {
  return SetMetadata(USER_ONLY, true);
}

/**
 * Tenant-scoped route: resolves the tenant context and requires one of `roles` ('any' = any
 * member); `pathParam` names the route parameter that must equal the tenant.
 */
export function RequireTenantRoles(
  roles: TenantRole[] | 'any',
  options: Pick<TenantRequirement, 'pathParam' | 'mismatch'> = {},
): MethodDecorator & ClassDecorator {
  const requirement: TenantRequirement = { roles, ...options };
  return applyDecorators(
    SetMetadata(TENANT_REQUIREMENT, requirement),
    UseGuards(BearerAuthGuard, TenantGuard),
    ApiBearerAuth('bearer'),
  );
}

/** The authenticated caller (set by the bearer guard). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    return context.switchToHttp().getRequest<TenantRequest>().user as Principal;
  },
);

/** The resolved tenant context (set by `RequireTenantRoles`). */
export const CurrentTenant = createParamDecorator(
  (_data: unknown, context: ExecutionContext): TenantContext => {
    return context.switchToHttp().getRequest<TenantRequest>().tenantContext as TenantContext;
  },
);
