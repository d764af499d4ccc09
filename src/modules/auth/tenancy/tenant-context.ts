import { AuthErrorCode, AuthException } from '../auth.errors';
import type { Principal } from '../principal';
import { SUPERUSER_SCOPE } from '../scopes/scope-policy';

export type TenantRole = 'owner' | 'admin' | 'viewer';

const RANK: Record<TenantRole, number> = { viewer: 1, admin: 2, owner: 3 };

/** The tenant a request acts on and the role it acts with. */
export interface TenantContext {
  tenantId: string;
  role: TenantRole;
}

function asTenantRole(value: unknown): TenantRole | null {
  const role = typeof value === 'string' ? value.trim().toLowerCase() : '';
  return role in RANK ? (role as TenantRole) : null;
}

/** Highest of the `roles` claim and the `scope` claim mapping (billing:manage -> owner). */
export function grantedTenantRole(principal: Principal): TenantRole {
  const claimRoles = principal.payload.roles;
  const roles = (Array.isArray(claimRoles) ? claimRoles : [claimRoles]).map(asTenantRole);
  const scopeClaim = principal.payload.scope;
  const scopes =
    typeof scopeClaim === 'string'
      ? scopeClaim.split(/\s+/)
      : Array.isArray(scopeClaim)
        ? scopeClaim
        : [];
  if (scopes.includes('billing:manage')) roles.push('owner');
  if (scopes.includes('billing:read')) roles.push('viewer');
  return roles.reduce<TenantRole>(
    (best, role) => (role && RANK[role] > RANK[best] ? role : best),
    'viewer',
  );
}

/**
 * Resolves the tenant context from the token, with `X-Tenant-Id` and `X-Tenant-Role` only narrowing
 * it. A tenantless token may name a tenant by header only when it holds `support:*` (the replaced
 * service trusted the header from anyone).
 */
export function resolveTenantContext(
  principal: Principal,
  headerTenantId: string | undefined,
  headerRole: string | undefined,
): TenantContext {
  const requested = headerTenantId?.trim() || undefined;
  let tenantId: string;
  if (principal.tenantId) {
    if (requested && requested !== principal.tenantId) {
      throw new AuthException(
        403,
        'Tenant mismatch between token and X-Tenant-Id header.',
        AuthErrorCode.TenantMismatch,
      );
    }
    tenantId = principal.tenantId;
  } else if (requested && principal.scopes.includes(SUPERUSER_SCOPE)) {
    tenantId = requested;
  } else {
    throw new AuthException(
      401,
      'Authenticated token is missing tenant context.',
      AuthErrorCode.TenantContextMissing,
      {
        'WWW-Authenticate': 'Bearer',
      },
    );
  }

  const granted = grantedTenantRole(principal);
  const narrowed = asTenantRole(headerRole);
  if (narrowed && RANK[narrowed] > RANK[granted]) {
    throw new AuthException(
      403,
      'Requested tenant role exceeds privileges granted by token.',
      AuthErrorCode.TenantRoleEscalation,
    );
  }
  return { tenantId, role: narrowed ?? granted };
}
