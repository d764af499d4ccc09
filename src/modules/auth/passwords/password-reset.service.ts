import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { MailSender } from '../../../platform/mail';
import { LoggerFactory, logEvent } from '../../../platform/observability/logger.factory';
import { RateLimiter } from '../../../platform/rate-limit';
import { AuditLog } from '../audit/audit-log.service';
import { AuthFailures } from '../auth-failures';
import { AuthMetrics } from '../auth.metrics';
import { errorKind, piiDigest } from '../pii-digest';
import { curlCommand, emailLink, passwordResetMail } from '../email/auth-mail.templates';
import { PasswordResetTokens } from '../email/token-stores';
import type { ClientInfo } from '../client/client-info';
import { SessionRevocationService } from '../sessions/session-revocation.service';
import { UserRepository } from '../users/user.repository';
import { PasswordCredentials } from './password-credentials.service';

const HOUR = 3600;

/** Forgot-password and reset by emailed token. */
@Injectable()
export class PasswordResetService {
  private readonly log: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly limiter: RateLimiter,
    private readonly users: UserRepository,
    private readonly tokens: PasswordResetTokens,
    private readonly mail: MailSender,
    private readonly credentials: PasswordCredentials,
    private readonly revocation: SessionRevocationService,
    private readonly metrics: AuthMetrics,
    private readonly audit: AuditLog,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.observability');
  }

  private digest(value: string): string {
    return piiDigest(this.config.sessionIpHashSalt, value);
  }

  /**
   * Quotas (per email, then per IP), then a token mailed if the account exists. The answer is
   * the same either way, and delivery happens after the response so its duration reveals
   * nothing about the account either.
   */
  async requestPasswordReset(email: string, client: ClientInfo): Promise<void> {
    const normalized = email.trim().toLowerCase();
    await this.limiter.hit(
      {
        name: 'password_reset_email',
        limit: this.config.PASSWORD_RESET_EMAIL_RATE_LIMIT_PER_HOUR,
        windowSeconds: HOUR,
        scope: 'email',
        logContext: { tenantId: 'password-reset', userId: this.digest(normalized) },
      },
      [normalized],
    );
    if (client.ip) {
      await this.limiter.hit(
        {
          name: 'password_reset_ip',
          limit: this.config.PASSWORD_RESET_IP_RATE_LIMIT_PER_HOUR,
          windowSeconds: HOUR,
          scope: 'ip',
          logContext: { tenantId: 'password-reset', userId: this.digest(client.ip) },
        },
        [client.ip],
      );
    }
    const user = await this.users.findByEmail(normalized);
    if (!user) {
      logEvent(this.log, 'info', 'auth.password_reset_request', {
        result: 'ignored',
        reason: 'unknown_email',
        email_hash: this.digest(normalized),
      });
      return;
    }
    const minted = await this.tokens.mint(user, client);
    logEvent(this.log, 'info', 'auth.password_reset_token', { user_id: user.id });
    logEvent(this.log, 'info', 'auth.password_reset_request', {
      result: 'queued',
      user_id: user.id,
      token_id: minted.tokenId,
    });
    const link = emailLink(
      this.config.EMAIL_LINK_BASE_URL,
      this.config.PASSWORD_RESET_LINK_PATH,
      minted.token,
    );
    const note = `Reset without a frontend: ${curlCommand(this.config.localApiUrl, '/api/v1/auth/password/confirm', { token: minted.token, new_password: '<new password>' })}`;
    void this.mail
      .send(passwordResetMail(user.email, link, minted.expiresAt, note))
      .then(() =>
        logEvent(this.log, 'info', 'auth.password_reset_notification', {
          user_id: user.id,
          expires_at: minted.expiresAt.toISOString(),
        }),
      )
      .catch((error: unknown) =>
        logEvent(this.log, 'error', 'auth.password_reset_notification', {
          result: 'failure',
          user_id: user.id,
          error: errorKind(error),
        }),
      );
  }

  /**
   * Resets the password with a mailed token. The token is consumed on success (or when its
   * user is gone) and kept on a history or policy failure so the user can retry.
   */
  async confirmPasswordReset(
    token: string,
    newPassword: string,
    client: ClientInfo,
  ): Promise<void> {
    const parsed = this.tokens.parse(token);
    if (!parsed) throw AuthFailures.resetMalformed();
    const record = await this.tokens.peek(parsed);
    if (!record) throw AuthFailures.resetInvalid();
    const user = await this.users.findById(record.user_id);
    if (!user) {
      await this.tokens.consume(record);
      logEvent(this.log, 'warn', 'auth.password_reset', {
        result: 'failure',
        reason: 'user_missing',
        token_id: record.token_id,
      });
      throw AuthFailures.resetInvalid();
    }
    await this.credentials.assertAcceptable(user, newPassword);
    if (!(await this.tokens.consume(record))) throw AuthFailures.resetInvalid();

    await this.credentials.setPassword(user.id, newPassword, (tx) =>
      // Nobody is signed in on this path: the mailbox owner acted, recorded as no actor.
      this.audit.recordForUserTenants(tx, user.id, {
        actor: null,
        action: 'password.reset',
        target: { type: 'user', id: user.id },
        details: { flow: 'token' },
        client,
      }),
    );
    await this.revocation.revokeAllForUser(user.id, 'password_reset_token');
    this.metrics.passwordResets.inc({ flow: 'token' });
    logEvent(this.log, 'info', 'auth.password_reset', {
      result: 'success',
      user_id: user.id,
      token_id: record.token_id,
      ip_hash: client.ip ? this.digest(client.ip) : null,
    });
  }
}
