import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory, logEvent } from '../../../platform/observability/logger.factory';
import { AuditLog } from '../audit/audit-log.service';
import { AuthFailures } from '../auth-failures';
import { AuthMetrics } from '../auth.metrics';
import type { ClientInfo } from '../client/client-info';
import { AccountUnlockService } from '../email/account-unlock.service';
import { LoginThrottle } from '../gate/login-throttle.service';
import type { Principal, UserPrincipal } from '../principal';
import { SUPERUSER_SCOPE } from '../scopes/scope-policy';
import {
  SessionRevocationService,
  type RevocationResult,
} from '../sessions/session-revocation.service';
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
    private readonly config: AppConfig,
    private readonly throttle: LoginThrottle,
    private readonly unlocks: AccountUnlockService,
    private readonly audit: AuditLog,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.observability');
  }

  /**
   * Verifies the current password (401 without `WWW-Authenticate`), then history, policy, the new
   * hash, and every session revoked, the caller's own included: its access token fails at once
   * (decision A3). A wrong current password counts toward the lockout like a wrong login password
   * (unlike the reference): otherwise a stolen access token would be an unthrottled oracle for the
   * password. A locked account is refused before the password is checked, as at login.
   */
  async changePassword(
    principal: UserPrincipal,
    currentPassword: string,
    newPassword: string,
    client: ClientInfo,
  ): Promise<void> {
    const user = await this.users.findById(principal.userId);
    if (!user) throw AuthFailures.unknownUser();
    if (user.status === 'locked' && (await this.throttle.isUserLocked(user.id))) {
      throw AuthFailures.accountLocked();
    }
    if (!(await this.hasher.verify(currentPassword, user.passwordHash)).valid) {
      const attempts = await this.throttle.registerUserFailure(user.id);
      if (attempts < this.config.AUTH_LOCKOUT_THRESHOLD) {
        throw AuthFailures.invalidCurrentPassword();
      }
      await this.unlocks.lock(user, principal.tenantId, client, attempts);
      throw AuthFailures.lockedOut();
    }
    await this.credentials.assertAcceptable(user, newPassword);
    await this.credentials.setPassword(user.id, newPassword, (tx) =>
      this.audit.recordForUserTenants(tx, user.id, {
        actor: principal,
        action: 'password.changed',
        target: { type: 'user', id: user.id },
        client,
      }),
    );
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
    client: ClientInfo,
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
    // The revocation commits with the password and its audit records: someone else ended the
    // target's sessions, which its tenants' owners must be able to see (`session.revoked`).
    const reason = 'password_reset';
    let revoked: RevocationResult = { tokens: 0, sessionIds: [] };
    await this.credentials.setPassword(target.id, newPassword, async (tx) => {
      await this.audit.recordForUserTenants(tx, target.id, {
        actor: principal,
        action: 'password.reset',
        target: { type: 'user', id: target.id },
        details: { flow: 'admin', tenant_id: tenantId },
        client,
      });
      revoked = await this.revocation.revokeAllForUserIn(tx, target.id, reason);
      if (revoked.sessionIds.length === 0 || principal.userId === target.id) return;
      await this.audit.recordForUserTenants(tx, target.id, {
        actor: principal,
        action: 'session.revoked',
        target: { type: 'user', id: target.id },
        details: { reason, sessions: revoked.sessionIds.length },
        client,
      });
    });
    await this.revocation.announce(target.id, tenantId, reason, revoked);
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
