import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { AppException } from '../http/app-exception';
import { LoggerFactory, logEvent } from '../observability/logger.factory';
import { MetricsService } from '../observability/metrics.service';
import { RedisService } from '../redis/redis.service';
import { LeaseEvictions } from './lease-evictions';
import { AcquisitionClock, leaseEvictionChannel, leaseMember } from './lease-member';
import { RateLimitExceededException } from './rate-limit.exception';
import { FIXED_WINDOW_SCRIPT, LEASE_ACQUIRE_SCRIPT, LEASE_HEARTBEAT_SCRIPT } from './scripts';

export type QuotaScope = 'user' | 'tenant' | 'ip' | 'email';

export interface QuotaSpec {
  /** Wire name (`chat_per_minute`, `signup_per_hour`, ...): key segment, metric label, 429 text. */
  name: string;
  /** <= 0 disables the quota. */
  limit: number;
  windowSeconds: number;
  scope: QuotaScope;
  /** Fail closed (503) instead of open when Redis is unavailable. */
  failClosed?: boolean;
  /** Extra fields of the `rate_limit.block` log event (reference: tenant_id/user_id). */
  logContext?: { tenantId?: string; userId?: string };
}

export interface LeaseSpec extends Omit<QuotaSpec, 'windowSeconds'> {
  /** Lease lifetime without heartbeat (reference: 300 s). */
  ttlSeconds: number;
  /**
   * At the limit, take the slot of the OLDEST holder (on any replica; it is told through
   * `Lease.evicted`) instead of refusing with 429: for streams that a dead client may hold.
   */
  evictOldest?: boolean;
}

export interface QuotaState {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

/** A held concurrency slot; release it exactly once (idempotent). */
export interface Lease {
  release(): Promise<void>;
  /** Aborted when a newer acquire evicted this lease (`evictOldest`): the holder must stop. */
  readonly evicted: AbortSignal;
}

const NOOP_LEASE: Lease = { release: async () => undefined, evicted: new AbortController().signal };

/** Key parts as the reference sanitises them: spaces to `_`, empty to `unknown`. */
export function sanitizeKeyPart(part: string | null | undefined): string {
  const text = (part ?? '').trim();
  return text ? text.replace(/\s/g, '_') : 'unknown';
}

/**
 * Redis-backed quotas shared by every replica (decision C6): fixed windows and concurrency
 * leases, each one atomic Lua script. Keys keep the reference layout
 * `<prefix>:quota|concurrency:<name>:<parts...>`. Leases are per-lease entries in a sorted set
 * scored by expiry, so a crashed pod's slots lapse on their own (the replaced service left a
 * crashed process's concurrency count inflated).
 */
@Injectable()
export class RateLimiter {
  private readonly log: Logger;
  private readonly events: Logger;
  private readonly hits: Counter<'quota' | 'scope'>;
  private readonly failOpen: Counter<'quota'>;
  private readonly evictionsTotal: Counter<'quota'>;
  private readonly evictions: LeaseEvictions;
  private readonly clock = new AcquisitionClock();

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisService,
    loggers: LoggerFactory,
    metrics: MetricsService,
  ) {
    this.log = loggers.get('app.services.rate_limit_service');
    this.events = loggers.get('auth.observability');
    this.hits = metrics.counter({
      name: 'rate_limit_hits_total',
      help: 'Requests rejected by the Redis rate limiter',
      labelNames: ['quota', 'scope'],
    });
    this.failOpen = metrics.counter({
      name: 'rate_limit_fail_open_total',
      help: 'Requests allowed because the rate limiter backend was unavailable',
      labelNames: ['quota'],
    });
    this.evictionsTotal = metrics.counter({
      name: 'rate_limit_evictions_total',
      help: 'Concurrency leases evicted by a newer acquire at the limit',
      labelNames: ['quota'],
    });
    this.evictions = new LeaseEvictions(
      redis,
      leaseEvictionChannel(config.REDIS_KEY_PREFIX, this.prefix()),
      this.log,
    );
  }

  /** Counts one hit; throws the reference 429 when the window's limit is exceeded. */
  async hit(spec: QuotaSpec, parts: (string | null | undefined)[]): Promise<QuotaState | null> {
    if (spec.limit <= 0) return null;
    const key = this.key('quota', spec.name, parts);
    let count: number;
    let ttl: number;
    try {
      [count, ttl] = (await this.redis.client.eval(
        FIXED_WINDOW_SCRIPT,
        1,
        key,
        spec.windowSeconds,
      )) as [number, number];
    } catch (error) {
      return this.unavailable(spec, error);
    }
    const resetSeconds = Math.max(1, ttl > 0 ? ttl : spec.windowSeconds);
    if (count > spec.limit) this.reject(spec, parts, resetSeconds);
    return { limit: spec.limit, remaining: Math.max(0, spec.limit - count), resetSeconds };
  }

  /**
   * Takes a concurrency slot (kept alive by a heartbeat until released). When full: throws 429,
   * or with `evictOldest` evicts the oldest holder and takes its place.
   */
  async acquireLease(spec: LeaseSpec, parts: (string | null | undefined)[]): Promise<Lease> {
    if (spec.limit <= 0) return NOOP_LEASE;
    const key = this.key('concurrency', spec.name, parts);
    const now = Date.now();
    const member = leaseMember(this.clock.next(now), randomUUID());
    const ttlMs = spec.ttlSeconds * 1000;
    const evicted = new AbortController();
    const evictable = spec.evictOldest === true;
    if (evictable) await this.evictions.watch(member, () => evicted.abort());
    let reply: (number | string)[];
    try {
      reply = (await this.redis.client.eval(
        LEASE_ACQUIRE_SCRIPT,
        1,
        key,
        now,
        ttlMs,
        spec.limit,
        member,
        evictable ? 1 : 0,
        this.evictions.channel,
      )) as (number | string)[];
    } catch (error) {
      this.evictions.unwatch(member);
      this.unavailable(spec, error);
      return NOOP_LEASE;
    }
    const [granted, oldestExpiry, ...evictedMembers] = reply;
    if (!Number(granted)) {
      this.evictions.unwatch(member);
      // A slot may free any second: advise a short retry, not the lease TTL.
      const untilOldest = Math.ceil((Number(oldestExpiry) - Date.now()) / 1000);
      this.reject(spec, parts, Math.min(5, Math.max(1, untilOldest)));
    }
    if (evictedMembers.length > 0) this.noteEvictions(spec, parts, evictedMembers.map(String));
    return this.heldLease(key, member, ttlMs, evictable ? evicted : undefined);
  }

  private heldLease(
    key: string,
    member: string,
    ttlMs: number,
    evicted: AbortController | undefined,
  ): Lease {
    const heartbeat = setInterval(
      () => {
        this.redis.client
          .eval(LEASE_HEARTBEAT_SCRIPT, 1, key, Date.now() + ttlMs, ttlMs, member)
          .then((alive) => {
            // Gone from the set: evicted (a missed signal) or lapsed; either way the slot is
            // no longer ours, so an evictable holder stops.
            if (!Number(alive) && evicted) this.evictions.evicted(member);
          })
          .catch((error: unknown) => this.log.warn({ err: error, key }, 'Lease heartbeat failed'));
      },
      Math.max(ttlMs / 2, 500),
    );
    heartbeat.unref();
    let released = false;
    return {
      evicted: evicted?.signal ?? NOOP_LEASE.evicted,
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(heartbeat);
        this.evictions.unwatch(member);
        await this.redis.client.zrem(key, member).catch((error: unknown) => {
          this.log.warn({ err: error, key }, 'Lease release failed; it lapses at its TTL');
        });
      },
    };
  }

  /** Counts and logs evictions; holders in this process are stopped at once (no round trip). */
  private noteEvictions(
    spec: LeaseSpec,
    parts: (string | null | undefined)[],
    members: string[],
  ): void {
    this.evictionsTotal.inc({ quota: spec.name }, members.length);
    logEvent(this.events, 'info', 'rate_limit.evict', {
      quota: spec.name,
      tenant_id: spec.logContext?.tenantId ?? 'unknown',
      user_id: spec.logContext?.userId ?? sanitizeKeyPart(parts[parts.length - 1]),
      limit: spec.limit,
      evicted: members.length,
    });
    for (const member of members) this.evictions.evicted(member);
  }

  private key(
    kind: 'quota' | 'concurrency',
    name: string,
    parts: (string | null | undefined)[],
  ): string {
    return [this.prefix(), kind, name, ...parts.map(sanitizeKeyPart)].join(':');
  }

  private prefix(): string {
    return this.config.RATE_LIMIT_KEY_PREFIX.trim() || 'rate-limit';
  }

  private reject(
    spec: QuotaSpec | LeaseSpec,
    parts: (string | null | undefined)[],
    retryAfter: number,
  ): never {
    this.hits.inc({ quota: spec.name, scope: spec.scope });
    logEvent(this.events, 'warn', 'rate_limit.block', {
      quota: spec.name,
      tenant_id: spec.logContext?.tenantId ?? 'unknown',
      user_id: spec.logContext?.userId ?? sanitizeKeyPart(parts[parts.length - 1]),
      limit: spec.limit,
      retry_after: retryAfter,
    });
    throw new RateLimitExceededException(spec.name, retryAfter);
  }

  private unavailable(spec: QuotaSpec | LeaseSpec, error: unknown): null {
    if (spec.failClosed) {
      this.log.error(
        { err: error, quota: spec.name },
        'Rate limiter unavailable; refusing traffic',
      );
      throw new AppException(503, 'Rate limiter unavailable. Retry later.', {
        code: 'rate_limiter_unavailable',
      });
    }
    this.failOpen.inc({ quota: spec.name });
    this.log.warn(
      { err: error, quota: spec.name },
      `Rate limiter unavailable; allowing traffic (quota=${spec.name})`,
    );
    return null;
  }
}
