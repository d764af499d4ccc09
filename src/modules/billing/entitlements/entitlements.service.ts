import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory } from '../../../platform/observability/logger.factory';
import { RedisService } from '../../../platform/redis/redis.service';
import { deriveEntitlements, type Entitlements } from './entitlement-rules';
import { UsageEventRepository } from '../usage/usage-event.repository';
import { EntitlementsRepository } from './entitlements.repository';

/**
 * Entitlements per tenant, kept in memory for BILLING_ENTITLEMENTS_CACHE_SECONDS so the chat
 * admission costs no database round trip. A subscription change (API or webhook) calls
 * `invalidate`, which drops the entry here and, over a Redis channel, on every replica; the
 * TTL bounds staleness should a message be lost, and an entry past its period's end reloads.
 */
@Injectable()
export class EntitlementsService implements OnModuleInit, OnApplicationShutdown {
  private readonly cache = new Map<string, { value: Entitlements; until: number }>();
  private readonly log: Logger;
  private subscriber?: Redis;

  constructor(
    private readonly config: AppConfig,
    private readonly repository: EntitlementsRepository,
    private readonly usage: UsageEventRepository,
    private readonly redis: RedisService,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('billing.entitlements');
  }

  /** Channel names are not prefixed by the client (only keys are), so the prefix is added here. */
  private get channel(): string {
    return `${this.config.REDIS_KEY_PREFIX}billing:entitlements:invalidations`;
  }

  async onModuleInit(): Promise<void> {
    this.subscriber = this.redis.createConnection('entitlement-invalidations');
    this.subscriber.on('message', (_channel: string, tenantId: string) =>
      this.cache.delete(tenantId),
    );
    await this.subscriber.subscribe(this.channel).catch((error: unknown) => {
      this.log.warn({ err: error }, 'Entitlement invalidation channel unavailable; TTL only');
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.unsubscribe().catch(() => undefined);
  }

  async current(tenantId: string, now = new Date()): Promise<Entitlements> {
    const cached = this.cache.get(tenantId);
    if (cached && cached.until > now.getTime() && cached.value.period.end > now) {
      return cached.value;
    }
    const value = deriveEntitlements({
      subscription: await this.repository.subscriptionOf(tenantId),
      chatFeatureKey: this.config.CHAT_USAGE_FEATURE_KEY,
      freeTier: {
        chatTokens: this.config.BILLING_FREE_TIER_CHAT_TOKENS,
        features: this.config.BILLING_FREE_TIER_FEATURES,
      },
      pastDueGraceDays: this.config.BILLING_PAST_DUE_GRACE_DAYS,
      now,
    });
    const ttl = this.config.BILLING_ENTITLEMENTS_CACHE_SECONDS * 1000;
    if (ttl > 0) this.cache.set(tenantId, { value, until: now.getTime() + ttl });
    return value;
  }

  /** The entitlements with the exact chat consumption of their period, read from the ledger. */
  async withConsumption(tenantId: string): Promise<{ current: Entitlements; used: number }> {
    const current = await this.current(tenantId);
    const used = await this.usage.quantityBetween(tenantId, current.chatFeatureKey, current.period);
    return { current, used };
  }

  /** After a subscription change committed: every replica reloads the tenant's entitlements. */
  async invalidate(tenantId: string): Promise<void> {
    this.cache.delete(tenantId);
    await this.redis.client.publish(this.channel, tenantId).catch((error: unknown) => {
      this.log.warn({ err: error, tenant_id: tenantId }, 'Entitlement invalidation not published');
    });
  }
}
