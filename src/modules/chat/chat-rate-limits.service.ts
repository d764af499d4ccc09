import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { RateLimiter, type Lease, type QuotaState } from '../../platform/rate-limit';
import type { Principal } from '../auth';

/** Concurrency lease lifetime without heartbeat (reference: 300 s). */
const LEASE_TTL_SECONDS = 300;

/**
 * The chat quotas on the shared Redis limiter (decision C6): per (tenant, user), reference names,
 * 429 with the reference body and `Retry-After`.
 */
@Injectable()
export class ChatRateLimits {
  constructor(
    private readonly config: AppConfig,
    private readonly limiter: RateLimiter,
  ) {}

  /** `chat_per_minute` (`POST /api/v1/chat`). */
  async chat(principal: Principal): Promise<QuotaState | null> {
    return this.limiter.hit(
      {
        name: 'chat_per_minute',
        limit: this.config.CHAT_RATE_LIMIT_PER_MINUTE,
        windowSeconds: 60,
        scope: 'user',
        logContext: this.logContext(principal),
      },
      this.parts(principal),
    );
  }

  /** `chat_stream_per_minute` (`POST /api/v1/chat/stream`, checked first). */
  async streamStart(principal: Principal): Promise<QuotaState | null> {
    return this.limiter.hit(
      {
        name: 'chat_stream_per_minute',
        limit: this.config.CHAT_STREAM_RATE_LIMIT_PER_MINUTE,
        windowSeconds: 60,
        scope: 'user',
        logContext: this.logContext(principal),
      },
      this.parts(principal),
    );
  }

  /** `chat_stream_concurrency` (stream): a slot held until the stream ends; always release it. */
  async streamSlot(principal: Principal): Promise<Lease> {
    return this.limiter.acquireLease(
      {
        name: 'chat_stream_concurrency',
        limit: this.config.CHAT_STREAM_CONCURRENT_LIMIT,
        ttlSeconds: LEASE_TTL_SECONDS,
        scope: 'user',
        logContext: this.logContext(principal),
      },
      this.parts(principal),
    );
  }

  private parts(principal: Principal): string[] {
    return [principal.tenantId ?? 'unknown', principal.userId ?? principal.subject];
  }

  private logContext(principal: Principal): { tenantId?: string; userId?: string } {
    return { tenantId: principal.tenantId ?? undefined, userId: principal.userId ?? undefined };
  }
}

/** Where response headers go: an Express `Response`, or a test's fake. */
export interface HeaderSink {
  setHeader(name: string, value: string): unknown;
}

/** IETF `RateLimit-*` headers on success. */
export function setRateLimitHeaders(response: HeaderSink, state: QuotaState | null): void {
  if (!state) return;
  response.setHeader('RateLimit-Limit', String(state.limit));
  response.setHeader('RateLimit-Remaining', String(state.remaining));
  response.setHeader('RateLimit-Reset', String(state.resetSeconds));
}
