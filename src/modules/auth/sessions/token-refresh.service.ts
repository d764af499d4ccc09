import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory, logEvent } from '../../../platform/observability/logger.factory';
import { AuthFailures } from '../auth-failures';
import { AuthErrorCode } from '../auth.errors';
import { AuthMetrics } from '../auth.metrics';
import { AccountGate } from '../gate/account-gate.service';
import { SigningUnavailableError, TokenService, type TokenClaims } from '../tokens/token.service';
import { UserRepository } from '../users/user.repository';
import type { ClientInfo } from '../client/client-info';
import { refreshTokenHashMatches } from '../tokens/refresh-token-hash';
import { RefreshTokenRepository, type RefreshTokenRecord } from '../users/refresh-token.repository';
import {
  SessionIssuer,
  SessionNoLongerActiveError,
  type IssuedSession,
} from './session-issuer.service';
import { SessionRevocationService } from './session-revocation.service';
import { isUuid } from '../../../platform/ids';

/** How a presented refresh token was honoured. */
type Admission = 'rotated' | 'grace';

/**
 * Refresh with rotation (decision A2). The presented token is revoked by one conditional UPDATE, so
 * exactly one caller rotates it. A rotated token presented again within
 * AUTH_REFRESH_REUSE_GRACE_SECONDS (a second browser tab racing the first) gets a fresh pair in the
 * same session; presented later it is reuse, treated as theft: the whole session is revoked, its
 * access tokens included, and the answer is 401.
 */
@Injectable()
export class TokenRefreshService {
  private readonly log: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly tokens: TokenService,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly users: UserRepository,
    private readonly gate: AccountGate,
    private readonly issuer: SessionIssuer,
    private readonly revocation: SessionRevocationService,
    private readonly metrics: AuthMetrics,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.observability');
  }

  async refreshAccessToken(refreshToken: string, client: ClientInfo): Promise<IssuedSession> {
    try {
      const claims = await this.verifiedClaims(refreshToken);
      const userId = claims.sub.slice('user:'.length).toLowerCase();
      const tenantId = claims.tenant_id as string;
      const admission = await this.admit(refreshToken, claims, userId);
      const issued = await this.reissue(claims, userId, tenantId, client);
      this.metrics.refreshIssued.inc({ result: admission });
      return issued;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== AuthErrorCode.RefreshReused)
        this.metrics.refreshIssued.inc({ result: 'rejected' });
      throw error;
    }
  }

  /** Steps 1-5: signature, `exp`/`iat`/`iss` (no audience), then the claims refresh needs. */
  private async verifiedClaims(token: string): Promise<TokenClaims> {
    let claims: TokenClaims;
    try {
      claims = await this.tokens.verify(token, { requireAudience: false });
    } catch {
      throw AuthFailures.refresh('Refresh token verification failed.');
    }
    if (claims.token_use !== 'refresh') throw AuthFailures.refresh('Token is not a refresh token.');
    if (!/^user:/.test(claims.sub) || !isUuid(claims.sub.slice(5))) {
      throw AuthFailures.refresh('Refresh token subject is malformed.');
    }
    if (typeof claims.tenant_id !== 'string' || !claims.tenant_id) {
      throw AuthFailures.refresh('Refresh token missing tenant identifier.');
    }
    if (typeof claims.jti !== 'string' || !claims.jti) {
      throw AuthFailures.refresh('Refresh token missing jti claim.');
    }
    return claims;
  }

  /** Steps 6-7: the stored record, then rotation, grace or reuse. */
  private async admit(token: string, claims: TokenClaims, userId: string): Promise<Admission> {
    let record = await this.refreshTokens.findByJti(claims.jti);
    if (
      !record ||
      record.account !== `user:${userId}` ||
      !refreshTokenHashMatches(
        this.config.AUTH_REFRESH_TOKEN_PEPPER,
        token,
        record.tokenHash,
        'accept-legacy',
      )
    ) {
      throw AuthFailures.refreshRevoked();
    }
    if (record.revokedAt === null && !record.expired) {
      if (await this.refreshTokens.revokeIfActive(claims.jti, 'rotated')) return 'rotated';
      // Another request rotated it a moment ago: judge it as the rotated token it now is.
      record = (await this.refreshTokens.findByJti(claims.jti)) ?? record;
    }
    if (record.revokedReason === 'rotated' && !record.expired) {
      if ((record.revokedAgeSeconds ?? Infinity) <= this.config.AUTH_REFRESH_REUSE_GRACE_SECONDS) {
        return 'grace';
      }
      await this.onReuse(record, claims, userId);
    }
    throw AuthFailures.refreshRevoked();
  }

  private async onReuse(
    record: RefreshTokenRecord,
    claims: TokenClaims,
    userId: string,
  ): Promise<never> {
    const sessionId = record.sessionId ?? (typeof claims.sid === 'string' ? claims.sid : null);
    if (isUuid(sessionId)) {
      await this.revocation.revokeSession(
        sessionId,
        'refresh_token_reuse',
        userId,
        record.tenantId,
      );
    }
    this.metrics.refreshIssued.inc({ result: 'reuse_detected' });
    logEvent(this.log, 'warn', 'auth.refresh_reuse', {
      user_id: userId,
      tenant_id: record.tenantId,
      session_id: sessionId,
      revoked_age_seconds: record.revokedAgeSeconds,
    });
    throw AuthFailures.refreshRevoked(AuthErrorCode.RefreshReused);
  }

  /** Steps 8-9: the current user, membership and status, then a pair in the same session. */
  private async reissue(
    claims: TokenClaims,
    userId: string,
    tenantId: string,
    client: ClientInfo,
  ): Promise<IssuedSession> {
    const user = await this.users.findById(userId);
    if (!user) throw AuthFailures.unknownUser();
    const membership = await this.gate.resolveMembership(user.id, tenantId, false);
    await this.gate.assertCanSignIn(user, membership.tenantId, client);
    const sid = isUuid(claims.sid) ? claims.sid : randomUUID();
    try {
      return await this.issuer.issue(
        {
          userId: user.id,
          tenantId: membership.tenantId,
          role: membership.role,
          emailVerified: user.emailVerifiedAt !== null,
          sessionId: sid.toLowerCase(),
        },
        client,
        'refresh',
      );
    } catch (error) {
      if (error instanceof SessionNoLongerActiveError) throw AuthFailures.refreshRevoked();
      if (error instanceof SigningUnavailableError) throw AuthFailures.signingUnavailable();
      throw error;
    }
  }
}
