import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { LoggerFactory } from '../../../platform/observability/logger.factory';
import { RedisService } from '../../../platform/redis/redis.service';
import { UsageEventRepository } from '../usage/usage-event.repository';

/** Seconds a seeded counter lives before it is re-read from the ledger (bounds any drift). */
const RESEED_SECONDS = 600;

/** INCRBY only an existing counter: a missing one is seeded from the ledger, never from zero. */
const ADD_IF_PRESENT = `if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('INCRBY', KEYS[1], ARGV[1])
end
return nil`;

/**
 * A tenant's consumption of a metered feature in the current period, on the chat hot path: one
 * Redis GET per admission. A missing counter (first turn of a period, expiry, Redis restart) is
 * seeded from the usage ledger (`usage_events`) with SET NX and lives RESEED_SECONDS, so it
 * converges on the ledger however replicas raced; each stored turn adds its tokens.
 */
@Injectable()
export class ChatQuotaCounter {
  private readonly log: Logger;

  constructor(
    private readonly redis: RedisService,
    private readonly usage: UsageEventRepository,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('billing.quota');
  }

  private key(tenantId: string, featureKey: string, period: { start: Date }): string {
    return `billing:quota:${tenantId}:${featureKey}:${period.start.getTime()}`;
  }

  async used(
    tenantId: string,
    featureKey: string,
    period: { start: Date; end: Date },
  ): Promise<number> {
    const key = this.key(tenantId, featureKey, period);
    const cached = await this.redis.client.get(key);
    if (cached !== null) return Number(cached);
    const used = await this.usage.quantityBetween(tenantId, featureKey, period);
    await this.redis.client.set(key, String(used), 'EX', RESEED_SECONDS, 'NX');
    return used;
  }

  /** Adds a stored turn's tokens (fire and forget: the ledger stays the truth). */
  add(tenantId: string, featureKey: string, period: { start: Date }, tokens: number): void {
    this.redis.client
      .eval(ADD_IF_PRESENT, 1, this.key(tenantId, featureKey, period), tokens)
      .catch((error: unknown) => {
        this.log.warn({ err: error, tenant_id: tenantId }, 'Chat quota counter not updated');
      });
  }
}
