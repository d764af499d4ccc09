import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../platform/config/app-config';
import { AuthFailures } from '../auth-failures';
import { storableUserAgent, type ClientInfo } from '../client/client-info';
import { hashIp } from '../client/ip-address';
import type { Membership } from '../users/membership.repository';
import { MembershipRepository } from '../users/membership.repository';
import { UserRepository, type UserRecord } from '../users/user.repository';
import { LoginEventRepository, type LoginEventResult } from './login-event.repository';
import { LoginThrottle } from './login-throttle.service';
import { chooseMembership } from './membership-choice';

/**
 * The checks login and refresh share: which membership the session uses, and whether the account
 * may sign in (disabled, pending, locked; an expired lock re-activates the account lazily).
 */
@Injectable()
export class AccountGate {
  constructor(
    private readonly config: AppConfig,
    private readonly memberships: MembershipRepository,
    private readonly users: UserRepository,
    private readonly throttle: LoginThrottle,
    private readonly events: LoginEventRepository,
  ) {}

  /**
   * The membership to use: the requested tenant's, else the only one. `bearer` adds
   * `WWW-Authenticate` to the 401s (login does, refresh does not).
   */
  async resolveMembership(
    userId: string,
    requestedTenantId: string | null,
    bearer: boolean,
  ): Promise<Membership> {
    return chooseMembership(await this.memberships.listForUser(userId), requestedTenantId, bearer);
  }

  /** Throws the status failure (with its login event); re-activates an expired lock. */
  async assertCanSignIn(user: UserRecord, tenantId: string, client: ClientInfo): Promise<void> {
    if (user.status === 'disabled' || user.status === 'pending') {
      await this.recordEvent(user.id, tenantId, client, 'failure', user.status);
      throw user.status === 'disabled'
        ? AuthFailures.accountDisabled()
        : AuthFailures.accountPending();
    }
    if (user.status !== 'locked') return;
    if (await this.throttle.isUserLocked(user.id)) {
      await this.recordEvent(user.id, tenantId, client, 'locked', 'status_locked');
      throw AuthFailures.accountLocked();
    }
    await this.users.setStatus(user.id, 'active');
    await this.throttle.clearUser(user.id);
    user.status = 'active';
  }

  async recordEvent(
    userId: string,
    tenantId: string | null,
    client: ClientInfo,
    result: LoginEventResult,
    reason: string,
  ): Promise<void> {
    await this.events.record({
      userId,
      tenantId,
      ipHash: hashIp(this.config.sessionIpHashSalt, client.ip) ?? 'unknown',
      userAgent: storableUserAgent(client.userAgent),
      result,
      reason,
    });
  }
}
