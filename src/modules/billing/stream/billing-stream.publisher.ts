import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory } from '../../../platform/observability/logger.factory';
import { BillingMetrics, labelValue } from '../billing.metrics';
import { BillingEventsRedis } from './billing-events-redis';
import { tenantStreamKey } from './stream-ids';

export type PublishSource = 'webhook' | 'replay';

const ATTEMPTS = 3;
const PAUSE_MS = 250;

/** Publishing failed after every attempt. */
export class BillingStreamPublishError extends Error {
  constructor(cause: unknown) {
    super('Failed to publish billing event.', { cause });
    this.name = 'BillingStreamPublishError';
  }
}

/**
 * Appends one payload to a tenant's Redis stream: XADD with an exact MAXLEN cap and EXPIRE in one
 * MULTI, up to three attempts 250 ms apart. Returns the entry id, which subscribers receive as
 * `event_id`. Also what the benchmark calls to measure fan-out.
 */
@Injectable()
export class BillingStreamPublisher {
  private readonly log: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly redis: BillingEventsRedis,
    private readonly metrics: BillingMetrics,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('anything-agents.services.billing_events');
  }

  async publish(
    tenantId: string,
    payload: string,
    meta: { eventType: string; stripeEventId: string; source: PublishSource },
  ): Promise<string> {
    const key = tenantStreamKey(tenantId);
    const eventType = labelValue(meta.eventType);
    for (let attempt = 1; ; attempt += 1) {
      try {
        const id = await this.append(key, payload);
        this.metrics.webhookEvents.inc({ event_type: eventType, result: 'broadcasted' });
        this.metrics.streamEvents.inc({
          source: meta.source,
          result: meta.source === 'replay' ? 'replayed' : 'published',
        });
        this.log.info(
          { tenant_id: tenantId, event_type: meta.eventType, stripe_event_id: meta.stripeEventId },
          'Billing event broadcast',
        );
        return id;
      } catch (error) {
        this.metrics.webhookEvents.inc({ event_type: eventType, result: 'broadcast_failed' });
        this.log.warn(
          { err: error, tenant_id: tenantId, event_type: meta.eventType, attempt },
          'Billing event publish attempt failed',
        );
        if (attempt >= ATTEMPTS) {
          this.metrics.streamEvents.inc({ source: meta.source, result: 'failed' });
          throw new BillingStreamPublishError(error);
        }
        await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
      }
    }
  }

  private async append(key: string, payload: string): Promise<string> {
    const results = await this.redis.commands
      .multi()
      .xadd(key, 'MAXLEN', this.config.BILLING_STREAM_MAXLEN, '*', 'data', payload)
      .expire(key, this.config.BILLING_STREAM_TTL_SECONDS)
      .exec();
    const [error, id] = results?.[0] ?? [new Error('XADD returned nothing'), null];
    if (error) throw error;
    if (typeof id !== 'string') throw new Error('XADD returned no id');
    return id;
  }
}
