import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { firstRow, type Sql } from '../../../platform/database';
import { AuditLog } from '../audit/audit-log.service';
import type { ClientInfo } from '../client/client-info';
import type { UserStatus } from '../entities/user.entity';
import { LoginThrottle } from '../gate/login-throttle.service';
import type { Principal } from '../principal';
import { SessionRevocationService } from '../sessions/session-revocation.service';
import { UserRepository } from '../users/user.repository';

/**
 * Who asked for an account change; recorded as the audit event's `details.via` (`system` for
 * in-process callers with no operator or caller behind them).
 */
export type AccountChangeVia = 'cli' | 'tenant_owner' | 'system';

export interface AccountChange {
  /** The caller, or null for the operator CLI (the system). */
  actor: Principal | null;
  via: AccountChangeVia;
  client?: ClientInfo;
  /**
   * Extra checks that must hold when the change commits (the tenant owner's rules), run inside
   * the change's transaction after the user row is locked; they refuse the change by throwing.
   */
  precondition?: (tx: Sql) => Promise<void>;
}

export interface AccountChangeResult {
  userId: string;
  email: string;
  /** The status after the change. */
  status: UserStatus;
  /** Sessions revoked by this change (0 on enable). */
  sessionsRevoked: number;
}

/** Thrown for an unknown user id; callers map it to their own error (404, CLI message). */
export class UnknownUserError extends Error {
  constructor(readonly userId: string) {
    super(`no user with id ${userId}`);
  }
}

const DISABLE_REASON = 'user_disabled';
const SYSTEM: AccountChange = { actor: null, via: 'system' };

/**
 * Account state changes that must also end (or re-open) the user's access (decision A3).
 * Status, revocation and the audit events commit in one transaction, so a disabled user never
 * keeps a live refresh token and no change goes unrecorded; the session-state cache and the
 * Redis lockout are updated only after the commit, when the change is certain.
 */
@Injectable()
export class UserAccountService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly revocation: SessionRevocationService,
    private readonly audit: AuditLog,
    private readonly throttle: LoginThrottle,
  ) {}

  /** The user with this email (citext, case-insensitive), for callers that only know it. */
  async findByEmail(email: string): Promise<{ id: string; email: string } | null> {
    const user = await this.users.findByEmail(email.trim().toLowerCase());
    return user ? { id: user.id, email: user.email } : null;
  }

  /**
   * Disables the user and revokes every session and refresh token in all tenants: the access
   * tokens already issued stop working at once. Disabling a disabled user still revokes whatever
   * is left, but records no second audit event.
   */
  async disableUser(userId: string, change: AccountChange = SYSTEM): Promise<AccountChangeResult> {
    const { user, revoked } = await this.dataSource.transaction(async (tx) => {
      const current = await this.lock(tx, userId);
      await change.precondition?.(tx);
      const changed = current.status !== 'disabled';
      if (changed) await this.users.setStatus(userId, 'disabled', tx);
      const revoked = await this.revocation.revokeAllForUserIn(tx, userId, DISABLE_REASON);
      if (changed) {
        await this.record(tx, userId, change, 'user.disabled', {
          from: current.status,
          sessions_revoked: revoked.sessionIds.length,
        });
      }
      return { user: current, revoked };
    });
    await this.revocation.announce(userId, null, DISABLE_REASON, revoked);
    return {
      userId,
      email: user.email,
      status: 'disabled',
      sessionsRevoked: revoked.sessionIds.length,
    };
  }

  /**
   * Re-enables a disabled or locked user (status `active`) and clears the Redis lockout, so the
   * next login is not refused by a stale lock. A pending user stays pending: enabling is not a
   * way around email verification. An active user is left as is, without an audit event.
   */
  async enableUser(userId: string, change: AccountChange = SYSTEM): Promise<AccountChangeResult> {
    const user = await this.dataSource.transaction(async (tx) => {
      const current = await this.lock(tx, userId);
      await change.precondition?.(tx);
      if (current.status !== 'disabled' && current.status !== 'locked') return current;
      await this.users.setStatus(userId, 'active', tx);
      await this.record(tx, userId, change, 'user.enabled', { from: current.status });
      return { ...current, status: 'active' as UserStatus };
    });
    if (user.status === 'active') await this.throttle.clearUser(userId);
    return { userId, email: user.email, status: user.status, sessionsRevoked: 0 };
  }

  /**
   * Locks the user row for the rest of `tx`, so a concurrent disable and enable apply one after
   * the other and each records the status it really changed.
   */
  private async lock(tx: Sql, userId: string): Promise<{ email: string; status: UserStatus }> {
    const row = await firstRow<{ email: string; status: UserStatus }>(
      tx,
      'SELECT email, status FROM users WHERE id = $1 FOR UPDATE',
      [userId],
    );
    if (!row) throw new UnknownUserError(userId);
    return row;
  }

  private record(
    tx: Sql,
    userId: string,
    change: AccountChange,
    action: 'user.disabled' | 'user.enabled',
    details: Record<string, unknown>,
  ): Promise<void> {
    // One event in each of the user's tenants: every owner sees what happened to the account.
    return this.audit.recordForUserTenants(tx, userId, {
      actor: change.actor,
      action,
      target: { type: 'user', id: userId },
      details: { via: change.via, ...details },
      client: change.client,
    });
  }
}
