import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { LoggerFactory, logEvent } from '../../../platform/observability/logger.factory';
import { AuthFailures } from '../auth-failures';
import { AuthMetrics } from '../auth.metrics';
import type { Principal, UserPrincipal } from '../principal';
import { SUPERUSER_SCOPE } from '../scopes/scope-policy';
import { SessionRevocationService } from '../sessions/session-revocation.service';
import { MembershipRepository } from '../users/membership.repository';
import { UserRepository } from '../users/user.repository';
import { PasswordCredentials } from './password-credentials.service';
import { PasswordHasher } from './password-hasher';
import { isUuid } from '../../../platform/ids';

/** Self-service change and tenant admin/support reset. */
@Injectable()
export class PasswordChangeService {
  private readonly log: Logger;

  constructor(
    private readonly users: UserRepository,
    private readonly memberships: MembershipRepository,
    private readonly hasher: PasswordHasher,
    private readonly credentials: PasswordCredentials,
    private readonly revocation: SessionRevocationService,
    private readonly metrics: AuthMetrics,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.observability');
  }

  /**
   * Verifies the current password (401 without `WWW-Authenticate`; not counted toward lockout,
   * as in the reference), then history, policy, the new hash, and every session revoked,
   * the caller's own included: its access token fails at once (decision A3).
   */
  async changePassword(
    principal: UserPrincipal,
    currentPassword: string,
    newPassword: string,
  ): Promise<void> {
    const user = await this.users.findById(principal.userId);
    if (!user) throw AuthFailures.unknownUser();
    if (!(await this.hasher.verify(currentPassword, user.passwordHash)).valid) {
      throw AuthFailures.invalidCurrentPassword();
    }
    await this.credentials.assertAcceptable(user, newPassword);
    await this.credentials.setPassword(user.id, newPassword);
    await this.revocation.revokeAllForUser(user.id, 'password_change', principal.tenantId);
    this.metrics.passwordResets.inc({ flow: 'change' });
    logEvent(this.log, 'info', 'auth.password_change', { user_id: user.id });
  }

  /**
   * Resets a member's password in the caller's tenant. Unlike the reference, an admin cannot reset
   * an owner: only owners and support principals (`support:*`) can.
   */
  async adminResetPassword(
    principal: Principal,
    targetUserId: string,
    newPassword: string,
  ): Promise<void> {
    const tenantId = principal.payload.tenant_id;
    if (tenantId === undefined || tenantId === null || tenantId === '') {
      throw AuthFailures.resetTenantMissing();
    }
    if (!isUuid(tenantId)) throw AuthFailures.resetTenantInvalid();

    const target = await this.users.findById(targetUserId);
    if (!target) throw AuthFailures.resetUnknownUser();
    const targetRole = await this.memberships.findRole(target.id, tenantId);
    if (targetRole === null) {
      const any = await this.memberships.listForUser(target.id);
      throw AuthFailures.resetNotAMember(
        any.length === 0
          ? 'User is not assigned to any tenant.'
          : 'User is not a member of the requested tenant.',
      );
    }
    await this.assertMayReset(principal, tenantId, targetRole);

    await this.credentials.assertAcceptable(target, newPassword);
    await this.credentials.setPassword(target.id, newPassword);
    await this.revocation.revokeAllForUser(target.id, 'password_reset', tenantId);
    this.metrics.passwordResets.inc({ flow: 'admin' });
    logEvent(this.log, 'info', 'auth.password_reset', {
      user_id: target.id,
      tenant_id: tenantId,
      actor: principal.userId ?? principal.subject,
    });
  }

  /** Owners reset anyone, admins anyone but owners; the caller's role is read from the database. */
  private async assertMayReset(
    principal: Principal,
    tenantId: string,
    targetRole: string,
  ): Promise<void> {
    if (principal.scopes.includes(SUPERUSER_SCOPE)) return;
    const callerRole = principal.userId
      ? ((await this.memberships.findRole(principal.userId, tenantId))?.toLowerCase() ?? null)
      : null;
    if (callerRole !== 'owner' && callerRole !== 'admin')
      throw AuthFailures.insufficientTenantRole();
    if (targetRole.toLowerCase() === 'owner' && callerRole !== 'owner') {
      throw AuthFailures.insufficientTenantRole();
    }
  }
}
