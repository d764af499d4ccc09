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
 * A session's state: whether its access tokens still work and, when known, the user's current
 * role in the session's tenant. The role is authoritative over the token's `roles` claim, so a
 * role change reaches tokens already issued (the bearer verifier applies it).
 */
export interface SessionState {
  active: boolean;
  role: string | null;
}

const REVOKED: SessionState = { active: false, role: null };

/**
 * The Redis value: `active` (role as in the token), `active:<role>` or `revoked`. A replica that
 * knows only `active`/`revoked` reads `active:<role>` as not active: it fails closed.
 */
function encode(state: SessionState): string {
  if (!state.active) return 'revoked';
  return state.role ? `active:${state.role}` : 'active';
}

function decode(value: string): SessionState {
  if (value === 'active') return { active: true, role: null };
  if (value.startsWith('active:')) return { active: true, role: value.slice(7) || null };
  return REVOKED;
}

/** Compare-and-set: a role is written only over a state that is not `revoked`. */
const SET_ROLE_UNLESS_REVOKED = `
local current = redis.call('GET', KEYS[1])
if current == 'revoked' then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
return 1`;

/**
 * Whether a session may still use its access tokens (decision A3), answered in three tiers:
 * 1. a per-process copy kept for at most two seconds, so the bearer check usually costs no I/O;
 * 2. Redis (`auth:session:state:<sid>`), shared by every replica;
 * 3. Postgres on a Redis miss or failure, so losing Redis never revives a revoked session.
 * A revocation writes Redis, updates this process at once and is broadcast over Redis pub/sub,
 * so every replica drops its copy within milliseconds; the two-second bound covers a lost message.
 * A role change (members API) travels the same way with the session's new role.
 */
@Injectable()
export class SessionStateService implements OnModuleInit, OnApplicationShutdown {
  private readonly log: Logger;
  private readonly local = new Map<string, { state: SessionState; until: number }>();
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
    return (await this.state(sessionId)).active;
  }

  async state(sessionId: string): Promise<SessionState> {
    if (!isUuid(sessionId)) return REVOKED;
    const startedAt = performance.now();
    const local = this.local.get(sessionId);
    if (local && local.until > Date.now()) {
      this.observe('local', startedAt);
      return local.state;
    }
    const state = await this.readShared(sessionId, startedAt);
    this.remember(sessionId, state);
    return state;
  }

  /** Called after sessions were revoked in Postgres: their access tokens stop working now. */
  async markRevoked(sessionIds: string[], reason: string): Promise<void> {
    if (sessionIds.length === 0) return;
    this.metrics.jwtRevocations.inc({ reason }, sessionIds.length);
    for (const id of sessionIds) this.remember(id, REVOKED);
    await Promise.all(sessionIds.map((id) => this.write(id, REVOKED)));
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
    await this.write(sessionId, { active: true, role: null });
  }

  /** After a role change in Postgres: the user's open sessions in the tenant act with `role`. */
  async applyRole(userId: string, tenantId: string, role: string): Promise<void> {
    await this.markRole(await this.sessions.activeIdsInTenant(userId, tenantId), role);
  }

  /**
   * Called after the user's role in the sessions' tenant changed (committed in Postgres): their
   * access tokens act with `role` from now on, on every replica. A revoked session stays revoked.
   */
  async markRole(sessionIds: string[], role: string): Promise<void> {
    if (sessionIds.length === 0) return;
    const value = encode({ active: true, role });
    const ttl = this.config.ACCESS_TOKEN_EXPIRE_MINUTES * 60 + 60;
    for (const id of sessionIds) this.local.delete(id);
    await Promise.all(
      sessionIds.map((id) =>
        this.redis.client
          .eval(SET_ROLE_UNLESS_REVOKED, 1, this.key(id), value, ttl)
          .catch(async (error: unknown) => {
            // Without the new role in Redis, readers must go to Postgres, which has it.
            this.log.warn({ err: error, session_id: id }, 'Session role not cached; deleting');
            await this.redis.client.del(this.key(id)).catch(() => undefined);
          }),
      ),
    );
    await this.redis.client
      .publish(this.channel, JSON.stringify({ changed: sessionIds }))
      .catch((error: unknown) => {
        this.log.warn(
          { err: error },
          'Session role broadcast failed; replicas catch up within 2 s',
        );
      });
  }

  private async readShared(sessionId: string, startedAt: number): Promise<SessionState> {
    try {
      const cached = await this.redis.client.get(this.key(sessionId));
      if (cached) {
        this.observe('hit', startedAt);
        return decode(cached);
      }
    } catch (error) {
      this.log.warn({ err: error }, 'Session state cache unavailable; reading Postgres');
      this.observe('error', startedAt);
      return this.sessions.state(sessionId);
    }
    const state = await this.sessions.state(sessionId);
    this.observe('miss', startedAt);
    // NX: a revocation written meanwhile must not be overwritten by this (older) read.
    await this.write(sessionId, state, true);
    return state;
  }

  /**
   * `["<sid>", ...]`: revoked. `{"changed": ["<sid>", ...]}`: the role changed; the local copy
   * is dropped so the next request reads Redis.
   */
  private onRevocationMessage(message: string): void {
    try {
      const parsed = JSON.parse(message) as unknown;
      if (Array.isArray(parsed)) {
        for (const id of parsed) if (typeof id === 'string') this.remember(id, REVOKED);
        return;
      }
      const changed = (parsed as { changed?: unknown } | null)?.changed;
      if (Array.isArray(changed)) {
        for (const id of changed) if (typeof id === 'string') this.local.delete(id);
      }
    } catch {
      this.log.warn('Ignoring a malformed session revocation message');
    }
  }

  private remember(sessionId: string, state: SessionState): void {
    if (this.local.size >= LOCAL_CAPACITY) {
      const oldest = this.local.keys().next().value;
      if (oldest !== undefined) this.local.delete(oldest);
    }
    this.local.delete(sessionId);
    this.local.set(sessionId, { state, until: Date.now() + LOCAL_TTL_MS });
  }

  private async write(sessionId: string, state: SessionState, onlyIfAbsent = false): Promise<void> {
    // A revoked marker must outlive every access token of the session.
    const ttl = state.active
      ? ACTIVE_TTL_SECONDS
      : this.config.ACCESS_TOKEN_EXPIRE_MINUTES * 60 + 60;
    const key = this.key(sessionId);
    const value = encode(state);
    try {
      if (onlyIfAbsent) await this.redis.client.set(key, value, 'EX', ttl, 'NX');
      else await this.redis.client.set(key, value, 'EX', ttl);
    } catch (error) {
      if (!state.active) {
        // A stale "active" entry must not outlive a revocation: drop it so readers go to Postgres.
        this.log.error(
          { err: error, session_id: sessionId },
          'Session revocation not cached; deleting the entry',
        );
        await this.redis.client.del(key).catch(() => undefined);
        return;
      }
      this.log.warn(
        { err: error, session_id: sessionId, state: value },
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
