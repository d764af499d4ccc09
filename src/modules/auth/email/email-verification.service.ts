import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../platform/config/app-config';
import { MailSender } from '../../../platform/mail';
import { LoggerFactory, logEvent } from '../../../platform/observability/logger.factory';
import { RateLimiter } from '../../../platform/rate-limit';
import { AuditLog } from '../audit/audit-log.service';
import { AuthFailures } from '../auth-failures';
import { errorKind, piiDigest } from '../pii-digest';
import type { UserPrincipal } from '../principal';
import type { ClientInfo } from '../client/client-info';
import { UserRepository, type UserRecord } from '../users/user.repository';
import { curlCommand, emailLink, verificationMail } from './auth-mail.templates';
import { EmailVerificationTokens } from './token-stores';

const HOUR = 3600;

export type SendVerificationOutcome = 'already_verified' | 'sent';

/** Email verification: send a link and confirm it. */
@Injectable()
export class EmailVerificationService {
  private readonly log: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly limiter: RateLimiter,
    private readonly users: UserRepository,
    private readonly tokens: EmailVerificationTokens,
    private readonly mail: MailSender,
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.observability');
  }

  /**
   * A token whose claim says verified returns at once (no quota). Otherwise the per-user and
   * per-IP quotas apply, then a link is mailed if the account is still unverified. A delivery
   * failure is a 503 here: the caller is authenticated, so there is nothing to hide.
   */
  async sendEmailVerification(
    principal: UserPrincipal,
    client: ClientInfo,
  ): Promise<SendVerificationOutcome> {
    if (principal.emailVerified) return 'already_verified';
    await this.limiter.hit(
      {
        name: 'email_verify_user',
        limit: this.config.EMAIL_VERIFICATION_EMAIL_RATE_LIMIT_PER_HOUR,
        windowSeconds: HOUR,
        scope: 'user',
        logContext: { tenantId: 'email-verification', userId: principal.userId },
      },
      [principal.userId],
    );
    if (client.ip) {
      await this.limiter.hit(
        {
          name: 'email_verify_ip',
          limit: this.config.EMAIL_VERIFICATION_IP_RATE_LIMIT_PER_HOUR,
          windowSeconds: HOUR,
          scope: 'ip',
          logContext: {
            tenantId: 'email-verification',
            userId: piiDigest(this.config.sessionIpHashSalt, client.ip),
          },
        },
        [client.ip],
      );
    }
    const user = await this.users.findById(principal.userId);
    if (!user || user.emailVerifiedAt) return 'sent';
    try {
      await this.sendLink(user, client);
    } catch (error) {
      logEvent(this.log, 'error', 'auth.email_verification_notification', {
        result: 'failure',
        user_id: user.id,
        error: errorKind(error),
      });
      throw AuthFailures.mailUnavailable();
    }
    return 'sent';
  }

  /** Mints a token and mails the link (also used by signup, best effort there). */
  async sendLink(user: UserRecord, client: ClientInfo): Promise<void> {
    const minted = await this.tokens.mint(user, client);
    logEvent(this.log, 'info', 'auth.email_verification_request', {
      user_id: user.id,
      token_id: minted.tokenId,
    });
    const link = emailLink(
      this.config.EMAIL_LINK_BASE_URL,
      this.config.EMAIL_VERIFICATION_LINK_PATH,
      minted.token,
    );
    const note = `Verify without a frontend: ${curlCommand(this.config.localApiUrl, '/api/v1/auth/email/verify', { token: minted.token })}`;
    await this.mail.send(verificationMail(user.email, link, minted.expiresAt, note));
    logEvent(this.log, 'info', 'auth.email_verification_notification', {
      user_id: user.id,
      expires_at: minted.expiresAt.toISOString(),
    });
  }

  /**
   * Consumes the token and marks the email verified (a pending user becomes active). Sessions are
   * kept (the reference revoked them all, logging the user out mid-signup): access tokens keep
   * their old claims until they expire, and the next refresh, which reads the user row, issues
   * `email_verified=true` (docs/email-verification.md). A token minted for an email the account no
   * longer has is refused.
   */
  async verifyEmailToken(token: string, client: ClientInfo): Promise<void> {
    const parsed = this.tokens.parse(token);
    if (!parsed) throw AuthFailures.verificationMalformed();
    const record = await this.tokens.peek(parsed);
    if (!record || !(await this.tokens.consume(record))) throw AuthFailures.verificationInvalid();
    const user = await this.users.findById(record.user_id);
    if (!user || user.email.toLowerCase() !== record.email.toLowerCase()) {
      throw AuthFailures.verificationInvalid();
    }
    await this.dataSource.transaction(async (tx) => {
      await this.users.markEmailVerified(user.id, tx);
      // Only a real change is an event: a second valid link for a verified address changes nothing.
      if (user.emailVerifiedAt) return;
      await this.audit.recordForUserTenants(tx, user.id, {
        actor: null,
        action: 'email.verified',
        target: { type: 'user', id: user.id },
        details: { activated: user.status === 'pending' },
        client,
      });
    });
    logEvent(this.log, 'info', 'auth.email_verification', {
      user_id: user.id,
      token_id: record.token_id,
      ip_hash: client.ip ? piiDigest(this.config.sessionIpHashSalt, client.ip) : null,
    });
  }
}
