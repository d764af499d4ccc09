import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory } from '../../../platform/observability/logger.factory';
import { RedisService } from '../../../platform/redis/redis.service';
import { AuthMetrics } from '../auth.metrics';
import { UserSessionRepository } from './user-session.repository';
import { isUuid } from '../../../platform/ids';

const ACTIVE_TTL_SECONDS = 300;
/** How long this process trusts its own copy of a session's state without asking Redis. */
const LOCAL_TTL_MS = 2000;
const LOCAL_CAPACITY = 50_000;

/**
 * Whether a session may still use its access tokens (decision A3), answered in three tiers:
 * 1. a per-process copy kept for at most two seconds, so the bearer check usually costs no I/O;
 * 2. Redis (`auth:session:state:<sid>`), shared by every replica;
 * 3. Postgres on a Redis miss or failure, so losing Redis never revives a revoked session.
 * A revocation writes Redis, updates this process at once and is broadcast over Redis pub/sub,
 * so every replica drops its copy within milliseconds; the two-second bound covers a lost message.
 */
@Injectable()
export class SessionStateService implements OnModuleInit, OnApplicationShutdown {
  private readonly log: Logger;
  private readonly local = new Map<string, { active: boolean; until: number }>();
  private subscriber?: Redis;

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisService,
    private readonly sessions: UserSessionRepository,
    private readonly metrics: AuthMetrics,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('auth.sessions');
  }

  /** Channel names are not prefixed by the client (only keys are), so the prefix is added here. */
  private get channel(): string {
    return `${this.config.REDIS_KEY_PREFIX}auth:session:revocations`;
  }

  async onModuleInit(): Promise<void> {
    this.subscriber = this.redis.createConnection('session-revocations');
    this.subscriber.on('message', (_channel: string, message: string) =>
      this.onRevocationMessage(message),
    );
    await this.subscriber.subscribe(this.channel).catch((error: unknown) => {
      this.log.warn(
        { err: error },
        'Session revocation channel unavailable; relying on the local TTL',
      );
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.unsubscribe().catch(() => undefined);
  }

  async isActive(sessionId: string): Promise<boolean> {
    if (!isUuid(sessionId)) return false;
    const startedAt = performance.now();
    const local = this.local.get(sessionId);
    if (local && local.until > Date.now()) {
      this.observe('local', startedAt);
      return local.active;
    }
    const active = await this.readShared(sessionId, startedAt);
    this.remember(sessionId, active);
    return active;
  }

  /** Called after sessions were revoked in Postgres: their access tokens stop working now. */
  async markRevoked(sessionIds: string[], reason: string): Promise<void> {
    if (sessionIds.length === 0) return;
    this.metrics.jwtRevocations.inc({ reason }, sessionIds.length);
    for (const id of sessionIds) this.remember(id, false);
    await Promise.all(sessionIds.map((id) => this.write(id, 'revoked')));
    await this.redis.client
      .publish(this.channel, JSON.stringify(sessionIds))
      .catch((error: unknown) => {
        this.log.warn(
          { err: error },
          'Session revocation broadcast failed; other replicas catch up within 2 s',
        );
      });
  }

  /** Called after a session is created. */
  async markActive(sessionId: string): Promise<void> {
    await this.write(sessionId, 'active');
  }

  private async readShared(sessionId: string, startedAt: number): Promise<boolean> {
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

  private onRevocationMessage(message: string): void {
    try {
      const ids = JSON.parse(message) as unknown;
      if (!Array.isArray(ids)) return;
      for (const id of ids) if (typeof id === 'string') this.remember(id, false);
    } catch {
      this.log.warn('Ignoring a malformed session revocation message');
    }
  }

  private remember(sessionId: string, active: boolean): void {
    if (this.local.size >= LOCAL_CAPACITY) {
      const oldest = this.local.keys().next().value;
      if (oldest !== undefined) this.local.delete(oldest);
    }
    this.local.delete(sessionId);
    this.local.set(sessionId, { active, until: Date.now() + LOCAL_TTL_MS });
  }

  private async write(
    sessionId: string,
    state: 'active' | 'revoked',
    onlyIfAbsent = false,
  ): Promise<void> {
    // A revoked marker must outlive every access token of the session.
    const ttl =
      state === 'active' ? ACTIVE_TTL_SECONDS : this.config.ACCESS_TOKEN_EXPIRE_MINUTES * 60 + 60;
    const key = this.key(sessionId);
    try {
      if (onlyIfAbsent) await this.redis.client.set(key, state, 'EX', ttl, 'NX');
      else await this.redis.client.set(key, state, 'EX', ttl);
    } catch (error) {
      if (state === 'revoked') {
        // A stale "active" entry must not outlive a revocation: drop it so readers go to Postgres.
        this.log.error(
          { err: error, session_id: sessionId },
          'Session revocation not cached; deleting the entry',
        );
        await this.redis.client.del(key).catch(() => undefined);
        return;
      }
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
