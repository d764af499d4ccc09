import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory, logEvent } from '../../../platform/observability/logger.factory';
import { scopesForRole } from '../scopes/scope-policy';
import { TokenService, type SignedToken } from '../tokens/token.service';
import { userAccessClaims, userRefreshClaims, type UserTokenSubject } from '../tokens/user-claims';
import type { ClientInfo } from '../client/client-info';
import { hashRefreshToken } from '../tokens/refresh-token-hash';
import { SessionMetadataFactory } from './session-metadata.factory';
import { SessionStateService } from './session-state.service';
import { SessionGrantRepository, type PresentedRefreshToken } from './session-grant.repository';

/** A freshly issued token pair and what the token response reports about it. */
export interface IssuedSession {
  access: SignedToken;
  refresh: SignedToken;
  scopes: string[];
  userId: string;
  tenantId: string;
  sessionId: string;
  emailVerified: boolean;
}

/** Thrown when the presented refresh token was rotated by another request first. */
export class RotationLostError extends Error {
  constructor() {
    super('rotation_lost');
  }
}

/** Thrown when a refresh would move a session that was revoked meanwhile. */
export class SessionNoLongerActiveError extends Error {
  constructor() {
    super('session_revoked');
  }
}

/**
 * Issues access + refresh tokens for a session: signs both, then records the session and the
 * refresh row in one statement (the refresh row references the session), then marks a new session
 * active in the session-state cache. A refresh passes the token it presented: the same statement
 * rotates it, and writes nothing unless it did (RotationLostError: another request was first).
 */
@Injectable()
export class SessionIssuer {
  private readonly log: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly tokens: TokenService,
    private readonly grants: SessionGrantRepository,
    private readonly metadata: SessionMetadataFactory,
    private readonly sessionState: SessionStateService,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.observability');
  }

  async issue(
    subject: UserTokenSubject,
    client: ClientInfo,
    reason: 'login' | 'refresh',
    rotating?: PresentedRefreshToken,
  ): Promise<IssuedSession> {
    const now = new Date();
    const access = await this.tokens.sign(
      userAccessClaims(subject, this.config.AUTH_AUDIENCE),
      this.config.ACCESS_TOKEN_EXPIRE_MINUTES * 60,
      now,
    );
    const refresh = await this.tokens.sign(
      userRefreshClaims(subject),
      this.config.AUTH_REFRESH_TOKEN_TTL_MINUTES * 60,
      now,
    );
    const scopes = scopesForRole(subject.role);
    const metadata = await this.metadata.describe(client);
    const session = {
      id: subject.sessionId,
      userId: subject.userId,
      tenantId: subject.tenantId,
      refreshJti: refresh.claims.jti,
      // Millisecond precision (the token's iat is whole seconds): sessions sort by it.
      issuedAt: now,
      metadata,
    };
    const token = {
      account: `user:${subject.userId}`,
      tenantId: subject.tenantId,
      scopes,
      tokenHash: hashRefreshToken(this.config.AUTH_REFRESH_TOKEN_PEPPER, refresh.token),
      jti: refresh.claims.jti,
      kid: refresh.kid,
      fingerprint: metadata.fingerprint,
      sessionId: subject.sessionId,
      issuedAt: refresh.issuedAt,
      expiresAt: refresh.expiresAt,
    };
    let recorded: boolean;
    if (rotating) {
      const outcome = await this.grants.rotateAndRecord(rotating, session, token);
      if (!outcome.rotated) throw new RotationLostError();
      recorded = outcome.recorded;
    } else {
      recorded = await this.grants.record(session, token);
    }
    if (!recorded) throw new SessionNoLongerActiveError();
    // Only a new session is announced as active. A refreshed one already is (or is absent from
    // the cache, which falls back to Postgres); writing `active` after the commit could overwrite
    // a revocation that landed in between and keep revoked access tokens alive.
    if (reason === 'login') await this.sessionState.markActive(subject.sessionId);
    logEvent(this.log, 'info', 'auth.user_session', {
      result: 'success',
      reason,
      user_id: subject.userId,
      tenant_id: subject.tenantId,
      session_id: subject.sessionId,
    });
    return {
      access,
      refresh,
      scopes,
      userId: subject.userId,
      tenantId: subject.tenantId,
      sessionId: subject.sessionId,
      emailVerified: subject.emailVerified,
    };
  }
}
