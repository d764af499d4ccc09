import { Injectable } from '@nestjs/common';
import { AuthFailures } from '../auth-failures';
import type { UserPrincipal } from '../principal';
import { TokenService, type TokenClaims } from '../tokens/token.service';
import { RefreshTokenRepository } from '../users/refresh-token.repository';
import { SessionRevocationService } from './session-revocation.service';
import { UserSessionRepository, type SessionRow } from './user-session.repository';
import { isUuid } from '../../../platform/ids';

export interface SessionListQuery {
  includeRevoked: boolean;
  limit: number;
  offset: number;
  tenantId?: string;
}

export interface SessionPage {
  rows: SessionRow[];
  total: number;
}

/** A user's own sessions: logout, logout everywhere, list, revoke. */
@Injectable()
export class UserSessionsService {
  constructor(
    private readonly tokens: TokenService,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly sessions: UserSessionRepository,
    private readonly revocation: SessionRevocationService,
  ) {}

  /**
   * Ends the session of a refresh token the caller owns (expired tokens accepted). True when
   * something was revoked, false when it was already inactive. The session's access tokens,
   * the caller's included, stop working at once (decision A3).
   */
  async logoutSession(principal: UserPrincipal, refreshToken: string): Promise<boolean> {
    const claims = await this.logoutClaims(refreshToken, principal.userId);
    const record = await this.refreshTokens.findByJti(claims.jti);
    if (!record || record.revokedAt !== null || record.expired) return false;
    if (record.account !== `user:${principal.userId}`) {
      throw AuthFailures.logout('Refresh token ownership mismatch.');
    }
    if (record.sessionId) {
      await this.revocation.revokeSession(
        record.sessionId,
        'user_logout',
        principal.userId,
        record.tenantId,
      );
    } else {
      await this.refreshTokens.revokeIfActive(claims.jti, 'user_logout');
    }
    return true;
  }

  /** Every refresh token and session of the caller, all tenants; returns the tokens revoked. */
  async logoutAllSessions(principal: UserPrincipal): Promise<number> {
    const result = await this.revocation.revokeAllForUser(
      principal.userId,
      'user_logout_all',
      principal.tenantId,
    );
    return result.tokens;
  }

  async listUserSessions(principal: UserPrincipal, query: SessionListQuery): Promise<SessionPage> {
    return this.sessions.list({ userId: principal.userId, ...query });
  }

  /** Revokes one of the caller's sessions; 404 when it is not theirs or already revoked. */
  async revokeUserSession(principal: UserPrincipal, sessionId: string): Promise<void> {
    if (!(await this.sessions.isActiveFor(sessionId, principal.userId))) {
      throw AuthFailures.sessionNotFound();
    }
    await this.revocation.revokeSession(
      sessionId,
      'user_session_manual_revoke',
      principal.userId,
      principal.tenantId,
    );
  }

  private async logoutClaims(token: string, callerId: string): Promise<TokenClaims> {
    let claims: TokenClaims;
    try {
      claims = await this.tokens.verify(token, { requireAudience: false, allowExpired: true });
    } catch {
      throw AuthFailures.logout('Refresh token verification failed.');
    }
    if (claims.token_use !== 'refresh') throw AuthFailures.logout('Token is not a refresh token.');
    const subject = claims.sub;
    if (!subject.startsWith('user:') || !isUuid(subject.slice(5))) {
      throw AuthFailures.logout('Refresh token subject is malformed.');
    }
    if (subject.slice(5).toLowerCase() !== callerId.toLowerCase()) {
      throw AuthFailures.logout('Refresh token does not belong to the authenticated user.');
    }
    if (!claims.jti) throw AuthFailures.logout('Refresh token missing jti claim.');
    return claims;
  }
}
