import { AuthErrorCode, AuthException } from '../auth.errors';

/** Membership roles the members API grants, highest first. */
export const MEMBER_ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

const RANK: Record<MemberRole, number> = { viewer: 1, member: 2, admin: 3, owner: 4 };

/**
 * A stored role as one of ours. Memberships predating the members API hold free text (`editor`
 * acts as a member, anything unknown as a viewer: the same mapping that gives tokens their scopes).
 */
export function memberRoleOf(stored: string): MemberRole {
  const role = stored.trim().toLowerCase();
  if (role === 'editor') return 'member';
  return (MEMBER_ROLES as readonly string[]).includes(role) ? (role as MemberRole) : 'viewer';
}

/**
 * Who may change whom: an owner manages everyone and grants any role; an admin manages members
 * and viewers (never another admin or an owner) and grants any role but owner. Only an owner
 * makes or unmakes an owner. Members and viewers manage no one. `to` is null for a removal.
 */
export function assertMayManage(
  actor: MemberRole,
  target: MemberRole,
  to: MemberRole | null,
): void {
  const allowed =
    actor === 'owner' || (actor === 'admin' && RANK[target] < RANK.admin && to !== 'owner');
  if (!allowed) {
    throw new AuthException(
      403,
      'Your role does not allow this change to this member.',
      AuthErrorCode.MemberRoleForbidden,
    );
  }
}

/** 404 for a user who is not a member of the tenant (also one of another tenant: no existence leak). */
export function memberNotFound(): AuthException {
  return new AuthException(404, 'Member not found.', AuthErrorCode.MemberNotFound);
}
