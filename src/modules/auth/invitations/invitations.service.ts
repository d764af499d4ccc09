import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../platform/config/app-config';
import type { Sql } from '../../../platform/database';
import { keysetPage, type KeysetPage } from '../../../platform/http';
import { MailSender } from '../../../platform/mail';
import { LoggerFactory, logEvent } from '../../../platform/observability/logger.factory';
import { UserProvisioningService } from '../accounts/user-provisioning.service';
import { AuditLog } from '../audit/audit-log.service';
import { AuthFailures } from '../auth-failures';
import type { ClientInfo } from '../client/client-info';
import { toUserSessionResponse, type UserSessionResponse } from '../dto/user-session-response.dto';
import { curlCommand, emailLink } from '../email/auth-mail.templates';
import { LoginService } from '../login/login.service';
import { PasswordHasher } from '../passwords/password-hasher';
import { actorRole, type MemberActor } from '../members/member-actor';
import { assertMayManage, memberRoleOf, type MemberRole } from '../members/member-roles';
import { errorKind } from '../pii-digest';
import { isUserPrincipal, type Principal } from '../principal';
import type { TenantContext } from '../tenancy/tenant-context';
import { MembershipRepository } from '../users/membership.repository';
import { SeatLimitRegistry } from '../users/seat-limit.port';
import { TenantAccountRepository } from '../users/tenant-account.repository';
import { UserRepository } from '../users/user.repository';
import type {
  AcceptInvitationRequest,
  InvitationAcceptedResponse,
  InvitationResponse,
  ListInvitationsQuery,
} from './dto/invitation.dto';
import { InvitationFailures } from './invitation-failures';
import { invitationMail } from './invitation-mail';
import { InvitationRepository, type InvitationRow } from './invitation.repository';
import {
  invitationTokenHash,
  isInvitationTokenShape,
  newInvitationToken,
} from './invitation-token';

/**
 * Invitations into a tenant (docs/teams.md). An owner or admin invites an email with a role; the
 * invitee gets a single-use link (hashed at rest, expiring, replaced by a newer invitation to the
 * same email). Accepting joins an existing, signed-in account of that email, or creates the
 * account (its email counts as verified: the link proved it). Seats: members plus pending
 * invitations never exceed the subscription's seat count, counted under a lock on the tenant row.
 * Every step is audited in its own transaction.
 */
@Injectable()
export class InvitationsService {
  private readonly log: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly invitations: InvitationRepository,
    private readonly memberships: MembershipRepository,
    private readonly tenants: TenantAccountRepository,
    private readonly users: UserRepository,
    private readonly seats: SeatLimitRegistry,
    private readonly provisioning: UserProvisioningService,
    private readonly hasher: PasswordHasher,
    private readonly login: LoginService,
    private readonly audit: AuditLog,
    private readonly mail: MailSender,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.observability');
  }

  async invite(
    actor: MemberActor,
    input: { email: string; role: MemberRole },
  ): Promise<InvitationResponse> {
    const tenantId = actor.tenant.tenantId;
    const email = input.email.trim().toLowerCase();
    const token = newInvitationToken();
    const { row, tenantName } = await this.dataSource.transaction(async (tx) => {
      const tenant = await this.tenants.lockForSeats(tx, tenantId);
      if (!tenant) throw InvitationFailures.notFound();
      assertMayManage(await actorRole(tx, actor, this.memberships), 'viewer', input.role);
      if (await this.memberships.hasMemberWithEmail(tx, tenantId, email)) {
        throw InvitationFailures.alreadyMember();
      }
      const taken =
        (await this.memberships.count(tx, tenantId)) +
        (await this.invitations.countPending(tx, tenantId, email));
      await this.assertSeatFree(tenantId, taken);
      const created = await this.invitations.replace(tx, {
        tenantId,
        email,
        role: input.role,
        tokenHash: this.hash(token),
        invitedByUserId: actor.principal.userId,
        ttlSeconds: this.config.INVITATION_TTL_DAYS * 86_400,
      });
      await this.audit.record(tx, {
        actor: actor.principal,
        tenantId,
        action: 'member.invited',
        target: { type: 'invitation', id: created.row.id },
        details: { email, role: input.role, replaced: created.replaced },
        client: actor.client,
      });
      return { row: created.row, tenantName: tenant.name };
    });
    await this.sendMail(actor, row, tenantName, token);
    return toInvitation(row);
  }

  async list(
    tenant: TenantContext,
    query: ListInvitationsQuery,
  ): Promise<KeysetPage<InvitationResponse>> {
    return keysetPage(
      query,
      (after, limit) => this.invitations.listPending(tenant.tenantId, after, limit),
      (row) => ({ at: row.cursor_at, id: row.id }),
      toInvitation,
    );
  }

  /** Revokes a pending invitation; an admin cannot revoke an owner's invitation to an owner. */
  async revoke(actor: MemberActor, invitationId: string): Promise<void> {
    const tenantId = actor.tenant.tenantId;
    await this.dataSource.transaction(async (tx) => {
      const role = await actorRole(tx, actor, this.memberships);
      const row = await this.invitations.revoke(tx, tenantId, invitationId);
      if (!row) throw InvitationFailures.notFound();
      assertMayManage(role, memberRoleOf(row.role), null);
      await this.audit.record(tx, {
        actor: actor.principal,
        tenantId,
        action: 'member.invitation_revoked',
        target: { type: 'invitation', id: row.id },
        details: { email: row.email, role: row.role },
        client: actor.client,
      });
    });
  }

  /**
   * Accepts for the signed-in caller (its email must be the invited one), or without a token:
   * for the account of the invited email when the password matches it (a removed member has no
   * tenant to sign in to, so it signs in here), or by creating that account. Used, revoked,
   * expired and unknown tokens each answer their own 4xx; whether an email has an account is
   * only said to the holder of an invitation for it.
   */
  async accept(
    request: AcceptInvitationRequest,
    caller: Principal | null,
    client: ClientInfo,
  ): Promise<InvitationAcceptedResponse> {
    if (!isInvitationTokenShape(request.token)) throw InvitationFailures.invalidToken();
    const tokenHash = this.hash(request.token);
    const invitation = await this.invitations.findByTokenHash(this.dataSource.manager, tokenHash);
    assertUsable(invitation);
    if (caller) {
      if (!isUserPrincipal(caller)) throw InvitationFailures.userRequired();
      return this.join(tokenHash, caller.userId, client, false);
    }
    const existing = await this.users.findByEmail(invitation.email);
    if (!existing) return this.acceptWithNewAccount(invitation, tokenHash, request, client);
    if (!request.password) throw InvitationFailures.accountExists();
    const check = await this.hasher.verify(request.password, existing.passwordHash);
    if (!check.valid) throw AuthFailures.invalidCredentials();
    return this.join(tokenHash, existing.id, client, true);
  }

  /** An existing account joins; with `signIn`, it also gets a session for the tenant. */
  private async join(
    tokenHash: string,
    userId: string,
    client: ClientInfo,
    signIn: boolean,
  ): Promise<InvitationAcceptedResponse> {
    const invitation = await this.dataSource.transaction(async (tx) => {
      const locked = await this.lockUsable(tx, tokenHash);
      const user = await this.users.findById(userId, tx);
      if (!user || user.status === 'disabled') throw AuthFailures.accountDisabled();
      if (user.status === 'locked') throw AuthFailures.lockedOut();
      if (user.email.toLowerCase() !== locked.email.toLowerCase()) {
        throw InvitationFailures.emailMismatch();
      }
      if ((await this.memberships.findRole(userId, locked.tenant_id, tx)) !== null) {
        throw InvitationFailures.alreadyMember();
      }
      await this.tenants.lockForSeats(tx, locked.tenant_id);
      await this.assertSeatFree(
        locked.tenant_id,
        await this.memberships.count(tx, locked.tenant_id),
      );
      await this.memberships.insert(tx, { userId, tenantId: locked.tenant_id, role: locked.role });
      // The link reached this inbox: an unverified (pending) account is verified now.
      if (!user.emailVerifiedAt) await this.users.markEmailVerified(userId, tx);
      await this.joined(tx, locked, userId, client, false);
      return locked;
    });
    const session = signIn
      ? await this.signIn(userId, invitation.tenant_id, invitation.role, client)
      : null;
    return {
      tenant_id: invitation.tenant_id,
      user_id: userId,
      role: memberRoleOf(invitation.role),
      account_created: false,
      session,
    };
  }

  private async signIn(
    userId: string,
    tenantId: string,
    role: string,
    client: ClientInfo,
  ): Promise<UserSessionResponse> {
    const user = await this.users.findById(userId);
    if (!user) throw new Error('Accepted user vanished');
    return toUserSessionResponse(await this.login.completeLogin(user, { tenantId, role }, client));
  }

  /** Creates the invited account (policy applies; its email counts as verified) and signs in. */
  private async acceptWithNewAccount(
    found: InvitationRow,
    tokenHash: string,
    request: AcceptInvitationRequest,
    client: ClientInfo,
  ): Promise<InvitationAcceptedResponse> {
    if (!request.password) throw InvitationFailures.passwordRequired();
    const created = await this.provisioning.createUserWithTenant({
      email: found.email,
      password: request.password,
      tenantId: found.tenant_id,
      role: found.role,
      displayName: request.display_name,
      emailVerified: true,
      inTransaction: async (tx, user) => {
        const invitation = await this.lockUsable(tx, tokenHash);
        await this.tenants.lockForSeats(tx, invitation.tenant_id);
        // The new member is already counted.
        await this.assertSeatFree(
          invitation.tenant_id,
          (await this.memberships.count(tx, invitation.tenant_id)) - 1,
        );
        await this.joined(tx, invitation, user.userId, client, true);
      },
    });
    return {
      tenant_id: created.tenantId,
      user_id: created.userId,
      role: memberRoleOf(created.role),
      account_created: true,
      session: await this.signIn(created.userId, created.tenantId, created.role, client),
    };
  }

  /** The invitation, locked, re-checked under the lock (a concurrent accept or revoke lost). */
  private async lockUsable(tx: Sql, tokenHash: string): Promise<InvitationRow> {
    const invitation = await this.invitations.findByTokenHash(tx, tokenHash, true);
    assertUsable(invitation);
    return invitation;
  }

  private async joined(
    tx: Sql,
    invitation: InvitationRow,
    userId: string,
    client: ClientInfo,
    accountCreated: boolean,
  ): Promise<void> {
    await this.invitations.markAccepted(tx, invitation.id, userId);
    await this.audit.record(tx, {
      actor: { userId, account: null },
      tenantId: invitation.tenant_id,
      action: 'member.joined',
      target: { type: 'user', id: userId },
      details: {
        invitation_id: invitation.id,
        role: invitation.role,
        account_created: accountCreated,
      },
      client,
    });
  }

  /** `taken` seats (members, pending invitations) leave room for one more, or 409. */
  private async assertSeatFree(tenantId: string, taken: number): Promise<void> {
    const limit = await this.seats.seatLimit(tenantId);
    if (limit !== null && taken + 1 > limit) throw InvitationFailures.seatLimit(limit);
  }

  /**
   * Mails the link after the commit. A delivery failure revokes the invitation (nobody could use
   * it) and answers 503, so the inviter simply retries.
   */
  private async sendMail(
    actor: MemberActor,
    row: InvitationRow,
    tenantName: string,
    token: string,
  ): Promise<void> {
    const link = emailLink(
      this.config.EMAIL_LINK_BASE_URL,
      this.config.INVITATION_LINK_PATH,
      token,
    );
    const note = `Accept without a frontend: ${curlCommand(this.config.localApiUrl, '/api/v1/auth/invitations/accept', { token, password: '<choose one>' })}`;
    const inviter = actor.principal.userId
      ? ((await this.users.findById(actor.principal.userId))?.email ?? null)
      : null;
    try {
      await this.mail.send(
        invitationMail(
          row.email,
          { tenantName, role: row.role, inviter },
          link,
          row.expires_at,
          note,
        ),
      );
    } catch (error) {
      logEvent(this.log, 'error', 'auth.invitation_notification', {
        result: 'failure',
        invitation_id: row.id,
        error: errorKind(error),
      });
      await this.invitations.revoke(this.dataSource.manager, row.tenant_id, row.id);
      throw AuthFailures.mailUnavailable();
    }
    logEvent(this.log, 'info', 'auth.invitation_notification', {
      invitation_id: row.id,
      tenant_id: row.tenant_id,
      expires_at: row.expires_at.toISOString(),
    });
  }

  private hash(token: string): string {
    return invitationTokenHash(this.config.AUTH_EMAIL_VERIFICATION_TOKEN_PEPPER, token);
  }
}

/** Unknown, used, revoked or expired: each with its own code, so a frontend can say which. */
function assertUsable(row: InvitationRow | null): asserts row is InvitationRow {
  if (!row) throw InvitationFailures.invalidToken();
  if (row.accepted_at) throw InvitationFailures.accepted();
  if (row.revoked_at) throw InvitationFailures.revoked();
  if (row.expires_at.getTime() <= Date.now()) throw InvitationFailures.expired();
}

function toInvitation(row: InvitationRow): InvitationResponse {
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    email: row.email,
    role: memberRoleOf(row.role),
    status: invitationStatus(row),
    invited_by_user_id: row.invited_by_user_id,
    created_at: row.created_at.toISOString(),
    expires_at: row.expires_at.toISOString(),
  };
}

function invitationStatus(row: InvitationRow): string {
  if (row.accepted_at) return 'accepted';
  if (row.revoked_at) return 'revoked';
  return row.expires_at.getTime() <= Date.now() ? 'expired' : 'pending';
}
