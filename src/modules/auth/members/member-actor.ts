import type { Sql } from '../../../platform/database';
import type { ClientInfo } from '../client/client-info';
import { isUserPrincipal, type Principal } from '../principal';
import { SUPERUSER_SCOPE } from '../scopes/scope-policy';
import type { TenantContext } from '../tenancy/tenant-context';
import type { MembershipRepository } from '../users/membership.repository';
import { memberRoleOf, type MemberRole } from './member-roles';

/** Who acts on a tenant's members or invitations: the caller, its tenant and where it calls from. */
export interface MemberActor {
  principal: Principal;
  tenant: TenantContext;
  client: ClientInfo;
}

/**
 * The actor's role, read inside the change's transaction (the token may be older than a
 * demotion). A support operator (`support:*`) acts as an owner; a service account with the
 * tenant's rights as an admin (a viewer when its tenant role says so).
 */
export async function actorRole(
  tx: Sql,
  actor: MemberActor,
  memberships: MembershipRepository,
): Promise<MemberRole> {
  if (actor.principal.scopes.includes(SUPERUSER_SCOPE)) return 'owner';
  if (!isUserPrincipal(actor.principal)) return actor.tenant.role === 'viewer' ? 'viewer' : 'admin';
  const role = await memberships.findRole(actor.principal.userId, actor.tenant.tenantId, tx);
  return role === null ? 'viewer' : memberRoleOf(role);
}
