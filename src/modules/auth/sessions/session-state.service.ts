import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory } from '../../../platform/observability/logger.factory';
import { RedisService } from '../../../platform/redis/redis.service';
import { AuthMetrics } from '../auth.metrics';
import { UserSessionRepository } from './user-session.repository';

const ACTIVE_TTL_SECONDS = 300;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a session may still use its access tokens (decision A3). The answer is cached in Redis
 * (`auth:session:state:<sid>`), so the bearer check costs one Redis GET, not a database query;
 * revocation overwrites the cache at once. A cache miss or a Redis failure falls back to
 * Postgres, so losing Redis never revives a revoked session.
 */
@Injectable()
export class SessionStateService {
  private readonly log: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisService,
    private readonly sessions: UserSessionRepository,
    private readonly metrics: AuthMetrics,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.sessions');
  }

  async isActive(sessionId: string): Promise<boolean> {
    if (!UUID.test(sessionId)) return false;
    const startedAt = performance.now();
    try {
      const cached = await this.redis.client.get(this.key(sessionId));
      if (cached) {
        this.observe('hit', startedAt);
        return cached === 'active';
      }
    } catch (error) {
      this.log.warn({ err: error }, 'Session state cache unavailable; reading Postgres');
      this.observe('error', startedAt);
      return this.sessions.isActive(sessionId);
    }
    const active = await this.sessions.isActive(sessionId);
    this.observe('miss', startedAt);
    // NX: a revocation written meanwhile must not be overwritten by this (older) read.
    await this.write(sessionId, active ? 'active' : 'revoked', true);
    return active;
  }

  /** Called after sessions were revoked in Postgres: their access tokens stop working now. */
  async markRevoked(sessionIds: string[], reason: string): Promise<void> {
    if (sessionIds.length === 0) return;
    this.metrics.jwtRevocations.inc({ reason }, sessionIds.length);
    await Promise.all(sessionIds.map((id) => this.write(id, 'revoked')));
  }

  /** Called after a session is (re)created or rotated. */
  async markActive(sessionId: string): Promise<void> {
    await this.write(sessionId, 'active');
  }

  private async write(
    sessionId: string,
    state: 'active' | 'revoked',
    onlyIfAbsent = false,
  ): Promise<void> {
    // A revoked marker must outlive every access token of the session.
    const ttl =
      state === 'active' ? ACTIVE_TTL_SECONDS : this.config.ACCESS_TOKEN_EXPIRE_MINUTES * 60 + 60;
    try {
      if (onlyIfAbsent) await this.redis.client.set(this.key(sessionId), state, 'EX', ttl, 'NX');
      else await this.redis.client.set(this.key(sessionId), state, 'EX', ttl);
    } catch (error) {
      this.log.warn(
        { err: error, session_id: sessionId, state },
        'Session state cache write failed',
      );
    }
  }

  private key(sessionId: string): string {
    return `auth:session:state:${sessionId}`;
  }

  private observe(result: string, startedAt: number): void {
    this.metrics.revocationCacheLatency.observe({ result }, performance.now() - startedAt);
  }
}
