import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { Sql } from '../../../platform/database';
import { LoggerFactory, logEvent } from '../../../platform/observability/logger.factory';
import { RefreshTokenRepository } from '../users/refresh-token.repository';
import { SessionStateService } from './session-state.service';
import { UserSessionRepository } from './user-session.repository';

export interface RevocationResult {
  /** Refresh tokens revoked. */
  tokens: number;
  /** Sessions revoked (their access tokens now fail: decision A3). */
  sessionIds: string[];
}

/**
 * The revocation matrix: refresh rows and session rows in one transaction, then the session-state
 * cache, so the sessions' access tokens stop working at once (decision A3).
 */
@Injectable()
export class SessionRevocationService {
  private readonly log: Logger;

  constructor(
    private readonly dataSource: DataSource,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly sessions: UserSessionRepository,
    private readonly sessionState: SessionStateService,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.observability');
  }

  /** Every refresh token (all tenants) and every session of the user. */
  async revokeAllForUser(
    userId: string,
    reason: string,
    tenantId: string | null = null,
  ): Promise<RevocationResult> {
    const result = await this.dataSource.transaction((tx) =>
      this.revokeAllForUserIn(tx, userId, reason),
    );
    await this.announce(userId, tenantId, reason, result);
    return result;
  }

  /**
   * Every refresh token (all tenants) and every session of the user inside the caller's
   * transaction `tx` (an account change such as disabling, so both commit or neither does).
   * Call `announce` with the result after the commit.
   */
  async revokeAllForUserIn(tx: Sql, userId: string, reason: string): Promise<RevocationResult> {
    return {
      tokens: await this.refreshTokens.revokeAccount(`user:${userId}`, reason, tx),
      sessionIds: await this.sessions.revokeAllForUser(userId, reason, tx),
    };
  }

  /**
   * The user's sessions and refresh tokens in one tenant (removed from it), inside the caller's
   * transaction `tx`, so they end with the change that caused them. Call `announce` with the
   * result after the commit: only then do the access tokens stop on every replica.
   */
  async revokeInTenant(
    tx: Sql,
    userId: string,
    tenantId: string,
    reason: string,
  ): Promise<RevocationResult> {
    return {
      tokens: await this.refreshTokens.revokeAccountInTenant(
        `user:${userId}`,
        tenantId,
        reason,
        tx,
      ),
      sessionIds: await this.sessions.revokeAllInTenant(userId, tenantId, reason, tx),
    };
  }

  /**
   * After the commit of `revokeInTenant` or `revokeAllForUserIn`: the revoked sessions' access
   * tokens stop now. `tenantId` is null when the revocation spanned all of the user's tenants.
   */
  async announce(
    userId: string,
    tenantId: string | null,
    reason: string,
    result: RevocationResult,
  ): Promise<void> {
    await this.sessionState.markRevoked(result.sessionIds, reason);
    this.logRevoke(userId, tenantId, reason, result, null);
  }

  /** One session and all of its refresh tokens (a session may hold two during the grace window). */
  async revokeSession(
    sessionId: string,
    reason: string,
    userId: string,
    tenantId: string | null = null,
  ): Promise<RevocationResult> {
    const result = await this.dataSource.transaction(async (tx) => ({
      tokens: await this.refreshTokens.revokeSession(sessionId, reason, tx),
      sessionIds: await this.sessions.revoke([sessionId], reason, tx),
    }));
    // Even when the row was already revoked, make sure the cache says so.
    await this.sessionState.markRevoked([sessionId], reason);
    this.logRevoke(userId, tenantId, reason, result, sessionId);
    return result;
  }

  private logRevoke(
    userId: string,
    tenantId: string | null,
    reason: string,
    result: RevocationResult,
    sessionId: string | null,
  ): void {
    logEvent(this.log, 'info', 'auth.session_revoke', {
      result: 'success',
      user_id: userId,
      tenant_id: tenantId,
      revoked: result.tokens,
      sessions: result.sessionIds.length,
      reason,
      session_id: sessionId,
    });
  }
}
