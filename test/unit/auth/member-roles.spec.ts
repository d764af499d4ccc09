import { AuthException } from '../../../src/modules/auth/auth.errors';
import {
  assertMayManage,
  MEMBER_ROLES,
  memberRoleOf,
  type MemberRole,
} from '../../../src/modules/auth/members/member-roles';

function allowed(actor: MemberRole, target: MemberRole, to: MemberRole | null): boolean {
  try {
    assertMayManage(actor, target, to);
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(AuthException);
    expect((error as AuthException).code).toBe('member_role_forbidden');
    return false;
  }
}

describe('member roles', () => {
  it('reads stored free-text roles the way token scopes do', () => {
    expect(memberRoleOf(' Owner ')).toBe('owner');
    expect(memberRoleOf('ADMIN')).toBe('admin');
    expect(memberRoleOf('editor')).toBe('member');
    expect(memberRoleOf('member')).toBe('member');
    expect(memberRoleOf('auditor')).toBe('viewer');
  });

  it('owners manage everyone, to any role', () => {
    for (const target of MEMBER_ROLES) {
      for (const to of [...MEMBER_ROLES, null]) expect(allowed('owner', target, to)).toBe(true);
    }
  });

  it('admins manage members and viewers, to any role but owner', () => {
    const table: [MemberRole, MemberRole | null, boolean][] = [
      ['member', 'viewer', true],
      ['viewer', 'member', true],
      ['member', 'admin', true],
      ['viewer', null, true],
      ['member', 'owner', false],
      ['admin', 'viewer', false],
      ['admin', null, false],
      ['owner', 'admin', false],
      ['owner', null, false],
    ];
    for (const [target, to, expected] of table) expect(allowed('admin', target, to)).toBe(expected);
  });

  it('members and viewers manage no one', () => {
    for (const actor of ['member', 'viewer'] as const) {
      for (const target of MEMBER_ROLES) expect(allowed(actor, target, 'viewer')).toBe(false);
    }
  });
});
