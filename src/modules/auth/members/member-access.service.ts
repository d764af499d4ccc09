import { Injectable } from '@nestjs/common';
import type { Sql } from '../../../platform/database';
import {
  UnknownUserError,
  UserAccountService,
  type AccountChange,
} from '../accounts/user-account.service';
import { AuthErrorCode, AuthException } from '../auth.errors';
import { isUserPrincipal } from '../principal';
import { MembershipRepository } from '../users/membership.repository';
import { memberNotFound } from './member-roles';
import { actorRole, type MemberActor } from './member-actor';

/**
 * A tenant owner disables or re-enables one of its members' accounts. The account is global (it
 * signs in to every tenant it belongs to), so an owner may change it only when this tenant is
 * the user's one and only membership: otherwise one tenant would lock a person out of another.
 * The rules are checked inside the account change's transaction, which holds the user row's lock:
 * a membership added meanwhile waits for it (its foreign-key check), so none can slip past them.
 */
@Injectable()
export class MemberAccessService {
  constructor(
    private readonly accounts: UserAccountService,
    private readonly memberships: MembershipRepository,
  ) {}

  async disable(actor: MemberActor, userId: string): Promise<void> {
    await this.change(actor, userId, (id, change) => this.accounts.disableUser(id, change));
  }

  async enable(actor: MemberActor, userId: string): Promise<void> {
    await this.change(actor, userId, (id, change) => this.accounts.enableUser(id, change));
  }

  private async change(
    actor: MemberActor,
    userId: string,
    apply: (userId: string, change: AccountChange) => Promise<unknown>,
  ): Promise<void> {
    // Disabling yourself would end the very session making the request, with no way back.
    if (isUserPrincipal(actor.principal) && actor.principal.userId === userId) {
      throw new AuthException(
        409,
        'You cannot disable or enable your own account.',
        AuthErrorCode.UserDisableForbidden,
      );
    }
    try {
      await apply(userId, {
        actor: actor.principal,
        via: 'tenant_owner',
        client: actor.client,
        precondition: (tx) => this.assertOwnsAccount(tx, actor, userId),
      });
    } catch (error) {
      // A user id that is no account at all is, to this tenant, no member either.
      if (error instanceof UnknownUserError) throw memberNotFound();
      throw error;
    }
  }

  private async assertOwnsAccount(tx: Sql, actor: MemberActor, userId: string): Promise<void> {
    const tenantId = actor.tenant.tenantId;
    const { role } = await this.memberships.lockForChange(tx, tenantId, userId);
    if (role === null) throw memberNotFound();
    // The caller's role as of now, not as of its token (it may have been demoted since); a
    // support operator acts as an owner, as for the other member changes.
    if (
      isUserPrincipal(actor.principal) &&
      (await actorRole(tx, actor, this.memberships)) !== 'owner'
    ) {
      throw new AuthException(
        403,
        'Only a tenant owner may disable or enable a member.',
        AuthErrorCode.InsufficientTenantRole,
      );
    }
    const tenants = await this.memberships.listForUser(userId, tx);
    if (tenants.length !== 1) {
      throw new AuthException(
        403,
        'This user also belongs to other tenants; only an operator can disable or enable the account.',
        AuthErrorCode.UserDisableForbidden,
      );
    }
  }
}
