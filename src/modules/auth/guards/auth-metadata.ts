import type { TenantRole } from '../tenancy/tenant-context';

/** Route metadata keys read by the auth guards. */
export const REQUIRED_SCOPES = 'auth:required-scopes';
export const USER_ONLY = 'auth:user-only';
export const TENANT_REQUIREMENT = 'auth:tenant-requirement';

export interface TenantRequirement {
  roles: TenantRole[] | 'any';
  /** Route parameter that must equal the resolved tenant (billing `/tenants/{tenant_id}/...`). */
  pathParam?: string;
  /**
   * What a path tenant other than the caller's answers: 403 `tenant_mismatch` (billing, as the
   * reference did) or 404 `tenant_not_found` (members, invitations, audit: nothing about another
   * tenant is revealed, not even that the route would apply there). Checked before the role.
   */
  mismatch?: 'forbidden' | 'not_found';
}
