import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../platform/config/app-config';
import { rowsOf } from '../../../platform/database';
import { MailSender } from '../../../platform/mail';
import { LoggerFactory, logEvent } from '../../../platform/observability/logger.factory';
import { AuditLog } from '../audit/audit-log.service';
import { AuthFailures } from '../auth-failures';
import type { ClientInfo } from '../client/client-info';
import { AccountGate } from '../gate/account-gate.service';
import { LoginThrottle } from '../gate/login-throttle.service';
import { errorKind, piiDigest } from '../pii-digest';
import { UserRepository, type UserRecord } from '../users/user.repository';
import { curlCommand, emailLink, unlockMail } from './auth-mail.templates';
import { AccountUnlockTokens } from './token-stores';

/**
 * Per-user lockout without the denial of service: whoever can guess an email can lock its
 * account, so every lockout mails the owner a single-use link that unlocks it at once instead of
 * waiting out AUTH_LOCKOUT_DURATION_MINUTES. One mail per lockout: a locked account is refused
 * before its password is checked, so it cannot reach the threshold again until it is unlocked.
 */
@Injectable()
export class AccountUnlockService {
  private readonly log: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly tokens: AccountUnlockTokens,
    private readonly throttle: LoginThrottle,
    private readonly gate: AccountGate,
    private readonly mail: MailSender,
    private readonly audit: AuditLog,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.observability');
  }

  /**
   * The failure counter reached AUTH_LOCKOUT_THRESHOLD (a login or a password change): the account
   * is locked (status and Redis flag), the lock recorded as a login event, and the unlock link
   * mailed in the background. The caller answers the locked failure; the mail never changes it.
   */
  async lock(
    user: UserRecord,
    tenantId: string | null,
    client: ClientInfo,
    attempts: number,
  ): Promise<void> {
    await this.users.setStatus(user.id, 'locked');
    await this.throttle.lockUser(user.id);
    await this.gate.recordEvent(user.id, tenantId, client, 'locked', 'lockout_threshold');
    logEvent(this.log, 'warn', 'auth.lockout', {
      user_id: user.id,
      tenant_id: tenantId,
      attempts,
    });
    // Not awaited: SMTP latency would otherwise show in (and slow down) the locked answer.
    void this.sendLink(user, client);
  }

  /** Mints a token and mails the link; never rejects (a failure is logged). */
  async sendLink(user: UserRecord, client: ClientInfo): Promise<void> {
    try {
      const minted = await this.tokens.mint(user, client);
      logEvent(this.log, 'info', 'auth.account_unlock_request', {
        user_id: user.id,
        token_id: minted.tokenId,
      });
      const link = emailLink(
        this.config.EMAIL_LINK_BASE_URL,
        this.config.ACCOUNT_UNLOCK_LINK_PATH,
        minted.token,
      );
      const note = `Unlock without a frontend: ${curlCommand(this.config.localApiUrl, '/api/v1/auth/unlock', { token: minted.token })}`;
      await this.mail.send(unlockMail(user.email, link, minted.expiresAt, note));
      logEvent(this.log, 'info', 'auth.account_unlock_notification', {
        user_id: user.id,
        expires_at: minted.expiresAt.toISOString(),
      });
    } catch (error) {
      logEvent(this.log, 'error', 'auth.account_unlock_notification', {
        result: 'failure',
        user_id: user.id,
        error: errorKind(error),
      });
    }
  }

  /**
   * Consumes the token and re-activates the account if it is still locked (a disabled or pending
   * account keeps its status: the link proves control of the mailbox, not an administrator's
   * consent), clearing the Redis lockout. A token minted for an email the account no longer has
   * is refused.
   */
  async unlock(token: string, client: ClientInfo): Promise<void> {
    const parsed = this.tokens.parse(token);
    if (!parsed) throw AuthFailures.unlockMalformed();
    const record = await this.tokens.peek(parsed);
    if (!record || !(await this.tokens.consume(record))) throw AuthFailures.unlockInvalid();
    const user = await this.users.findById(record.user_id);
    if (!user || user.email.toLowerCase() !== record.email.toLowerCase()) {
      throw AuthFailures.unlockInvalid();
    }
    const unlocked = await this.dataSource.transaction(async (tx) => {
      // Conditional: an administrator may have disabled the account since the lock.
      const rows = await rowsOf<{ id: string }>(
        tx,
        `UPDATE users SET status = 'active', updated_at = now()
          WHERE id = $1 AND status = 'locked'
          RETURNING id`,
        [user.id],
      );
      if (rows.length === 0) return false;
      await this.audit.recordForUserTenants(tx, user.id, {
        actor: null,
        action: 'user.unlocked',
        target: { type: 'user', id: user.id },
        details: { via: 'unlock_link' },
        client,
      });
      return true;
    });
    // The lock already ran out (or never mattered) for an active account; a stale counter would
    // still lock it one failure early, so it goes too. Disabled accounts are left alone.
    if (unlocked || user.status === 'active') await this.throttle.clearUser(user.id);
    logEvent(this.log, 'info', 'auth.account_unlock', {
      result: unlocked ? 'success' : 'ignored',
      reason: unlocked ? null : `status_${user.status}`,
      user_id: user.id,
      token_id: record.token_id,
      ip_hash: client.ip ? piiDigest(this.config.sessionIpHashSalt, client.ip) : null,
    });
  }
}
