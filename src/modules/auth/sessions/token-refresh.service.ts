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
import type { ClientInfo } from '../client/client-info';
import { chooseMembership } from '../gate/membership-choice';
import { hashRefreshToken, refreshTokenHashMatches } from '../tokens/refresh-token-hash';
import { RefreshTokenRepository, type RefreshTokenRecord } from '../users/refresh-token.repository';
import {
  RotationLostError,
  SessionIssuer,
  SessionNoLongerActiveError,
  type IssuedSession,
} from './session-issuer.service';
import {
  SessionGrantRepository,
  type PresentedRefreshToken,
  type RefreshSnapshot,
} from './session-grant.repository';
import type { Membership } from '../users/membership.repository';
import type { UserRecord } from '../users/user.repository';
import { SessionRevocationService } from './session-revocation.service';
import { isUuid } from '../../../platform/ids';

/** How a presented refresh token was honoured. */
type Admission = 'rotated' | 'grace';

/**
 * Refresh with rotation (decision A2). The presented token is revoked by one conditional UPDATE, so
 * exactly one caller rotates it. One read-only statement fetches the token's row, the user and the
 * memberships; one write statement rotates the token and stores the new pair: two round trips and
 * one commit per refresh (docs/auth-performance.md). A rotated token presented again within
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
    private readonly grants: SessionGrantRepository,
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
      const snapshot = await this.grants.snapshot(claims.jti, userId);
      const record = this.storedRecord(refreshToken, userId, snapshot.token);
      const { admission, issued } = await this.admitAndReissue(
        claims,
        userId,
        record,
        snapshot,
        {
          jti: claims.jti,
          account: `user:${userId}`,
          tokenHash: hashRefreshToken(this.config.AUTH_REFRESH_TOKEN_PEPPER, refreshToken),
        },
        client,
      );
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

  /** Step 6: the stored record must be this token's (its account and hash). */
  private storedRecord(
    token: string,
    userId: string,
    record: RefreshTokenRecord | null,
  ): RefreshTokenRecord {
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
    return record;
  }

  /**
   * Step 7 with steps 8-9: an active token is rotated by the statement that stores the new pair.
   * If another request rotated it first (two tabs racing), it is judged again as the rotated
   * token it now is: a grace pair, or reuse.
   */
  private async admitAndReissue(
    claims: TokenClaims,
    userId: string,
    record: RefreshTokenRecord,
    snapshot: RefreshSnapshot,
    presented: PresentedRefreshToken,
    client: ClientInfo,
  ): Promise<{ admission: Admission; issued: IssuedSession }> {
    if (record.revokedAt === null && !record.expired) {
      try {
        return {
          admission: 'rotated',
          issued: await this.reissue(claims, snapshot, client, presented),
        };
      } catch (error) {
        if (!(error instanceof RotationLostError)) throw error;
        record = (await this.refreshTokens.findByJti(claims.jti)) ?? record;
      }
    }
    const admission = await this.judgeRotated(record, claims, userId);
    return { admission, issued: await this.reissue(claims, snapshot, client, null) };
  }

  /** A token that is no longer active: a rotated one within the grace window, else refused. */
  private async judgeRotated(
    record: RefreshTokenRecord,
    claims: TokenClaims,
    userId: string,
  ): Promise<Admission> {
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

  /**
   * Steps 8-9: the current user, membership and status, then a pair in the same session. A
   * refusal still consumes a presented active token, as the reference's order (rotate first) did.
   */
  private async reissue(
    claims: TokenClaims,
    snapshot: RefreshSnapshot,
    client: ClientInfo,
    rotating: PresentedRefreshToken | null,
  ): Promise<IssuedSession> {
    let user: UserRecord;
    let membership: Membership;
    try {
      if (!snapshot.user) throw AuthFailures.unknownUser();
      user = snapshot.user;
      membership = chooseMembership(snapshot.memberships, claims.tenant_id as string, false);
      await this.gate.assertCanSignIn(user, membership.tenantId, client);
    } catch (error) {
      if (rotating) await this.refreshTokens.revokeIfActive(rotating.jti, 'rotated');
      throw error;
    }
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
        rotating ?? undefined,
      );
    } catch (error) {
      if (error instanceof RotationLostError) throw error;
      if (error instanceof SessionNoLongerActiveError) throw AuthFailures.refreshRevoked();
      if (error instanceof SigningUnavailableError) throw AuthFailures.signingUnavailable();
      throw error;
    }
  }
}
