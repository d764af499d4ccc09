import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Sql } from '../../../platform/database';
import { keysetPage, type KeysetPage } from '../../../platform/http';
import { AuditLog } from '../audit/audit-log.service';
import type { AuditAction } from '../audit/audit-actions';
import { AuthErrorCode, AuthException } from '../auth.errors';
import { isUserPrincipal, type Principal } from '../principal';
import { SessionRevocationService } from '../sessions/session-revocation.service';
import { SessionStateService } from '../sessions/session-state.service';
import type { TenantContext } from '../tenancy/tenant-context';
import { MembershipRepository, type MemberRow } from '../users/membership.repository';
import type { MemberResponse, TenantMembershipResponse } from './dto/member.dto';
import type { ListMembersQuery } from './dto/list-members-query.dto';
import { actorRole, type MemberActor } from './member-actor';
import { assertMayManage, memberNotFound, memberRoleOf, type MemberRole } from './member-roles';

export type MemberPage = KeysetPage<MemberResponse>;

/**
 * A tenant's members: list, change a role, remove, leave. Every change locks the tenant's owner
 * rows with the target's (so the last owner can never be demoted or removed, however many
 * requests race), writes its audit event in the same transaction, and after the commit reaches
 * the member's tokens already issued for this tenant on every replica: a new role through the
 * session state, a removal by revoking the sessions. Other tenants' sessions are untouched.
 */
@Injectable()
export class MembersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly memberships: MembershipRepository,
    private readonly sessionState: SessionStateService,
    private readonly revocation: SessionRevocationService,
    private readonly audit: AuditLog,
  ) {}

  async list(tenant: TenantContext, query: ListMembersQuery): Promise<MemberPage> {
    return keysetPage(
      query,
      (after, limit) => this.memberships.listMembers(tenant.tenantId, after, limit),
      (row) => ({ at: row.cursor_at, id: row.user_id }),
      toMember,
    );
  }

  async myTenants(principal: Principal): Promise<TenantMembershipResponse[]> {
    if (!isUserPrincipal(principal)) return [];
    const rows = await this.memberships.listTenantsOfUser(principal.userId);
    return rows.map((row) => ({ ...row, role: memberRoleOf(row.role) }));
  }

  async changeRole(actor: MemberActor, userId: string, to: MemberRole): Promise<MemberResponse> {
    const tenantId = actor.tenant.tenantId;
    const changed = await this.dataSource.transaction(async (tx) => {
      const { role, owners } = await this.memberships.lockForChange(tx, tenantId, userId);
      if (role === null) throw memberNotFound();
      const from = memberRoleOf(role);
      assertMayManage(await actorRole(tx, actor, this.memberships), from, to);
      if (from === to) return false;
      if (from === 'owner' && owners <= 1) throw lastOwner('demoted');
      await this.memberships.updateRole(tx, tenantId, userId, to);
      await this.record(tx, actor, 'member.role_changed', userId, { from, to });
      return true;
    });
    if (changed) await this.sessionState.applyRole(userId, tenantId, to);
    const member = await this.memberships.findMember(tenantId, userId);
    if (!member) throw memberNotFound();
    return toMember(member);
  }

  async remove(actor: MemberActor, userId: string): Promise<void> {
    await this.end(actor, userId, 'member.removed');
  }

  /** The caller leaves the tenant (`members/me`). */
  async leave(actor: MemberActor): Promise<void> {
    if (!isUserPrincipal(actor.principal)) throw memberNotFound();
    await this.end(actor, actor.principal.userId, 'member.left');
  }

  /** Removal and leaving: the membership, its sessions and refresh tokens end together. */
  private async end(
    actor: MemberActor,
    userId: string,
    action: 'member.removed' | 'member.left',
  ): Promise<void> {
    const tenantId = actor.tenant.tenantId;
    const reason = action === 'member.left' ? 'member_left' : 'member_removed';
    const revoked = await this.dataSource.transaction(async (tx) => {
      const { role, owners } = await this.memberships.lockForChange(tx, tenantId, userId);
      if (role === null) throw memberNotFound();
      const from = memberRoleOf(role);
      if (action === 'member.removed')
        assertMayManage(await actorRole(tx, actor, this.memberships), from, null);
      if (from === 'owner' && owners <= 1) throw lastOwner('removed');
      await this.memberships.delete(tx, tenantId, userId);
      const result = await this.revocation.revokeInTenant(tx, userId, tenantId, reason);
      await this.record(tx, actor, action, userId, {
        role: from,
        sessions: result.sessionIds.length,
      });
      return result;
    });
    await this.revocation.announce(userId, tenantId, reason, revoked);
  }

  private record(
    tx: Sql,
    actor: MemberActor,
    action: AuditAction,
    userId: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(tx, {
      actor: actor.principal,
      tenantId: actor.tenant.tenantId,
      action,
      target: { type: 'user', id: userId },
      details,
      client: actor.client,
    });
  }
}

function toMember(row: MemberRow): MemberResponse {
  return {
    user_id: row.user_id,
    email: row.email,
    display_name: row.display_name,
    role: memberRoleOf(row.role),
    status: row.status,
    joined_at: row.joined_at.toISOString(),
    last_login_at: row.last_login_at ? row.last_login_at.toISOString() : null,
  };
}

function lastOwner(what: 'demoted' | 'removed'): AuthException {
  return new AuthException(
    409,
    `The tenant's last owner cannot be ${what}; make another member an owner first.`,
    AuthErrorCode.LastOwner,
  );
}
