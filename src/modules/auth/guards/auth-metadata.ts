import type { TenantRole } from '../tenancy/tenant-context';

/** Route metadata keys read by the auth guards. */
export const REQUIRED_SCOPES = 'auth:required-scopes';
export const USER_ONLY = 'auth:user-only';
export const TENANT_REQUIREMENT = 'auth:tenant-requirement';

export interface TenantRequirement {
  roles: TenantRole[] | 'any';
  /** Route parameter that must equal the resolved tenant (billing `/tenants/{tenant_id}/...`). */
  pathParam?: string;
}
