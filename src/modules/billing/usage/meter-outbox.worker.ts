import {
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LifecycleService } from '../../../platform/lifecycle/lifecycle.service';
import { PollingLoop } from '../../../platform/lifecycle/polling-loop';
import { WorkerMetrics } from '../../../platform/lifecycle/worker-metrics';
import { LoggerFactory } from '../../../platform/observability/logger.factory';
import { StripeCustomerRepository } from '../customers/stripe-customer.repository';
import { usageIdentifier } from '../gateway/idempotency-keys';
import { PaymentGatewayError } from '../gateway/payment-gateway.error';
import { StripeGateway } from '../gateway/stripe-gateway.service';
import { SubscriptionRepository } from '../subscriptions/subscription.repository';
import { afterMeterFailure, tooOldToMeter } from './meter-backoff';
import { MeterMetrics, type MeterResult } from './meter-metrics';
import { UsageEventRepository, type ClaimedUsageEvent } from './usage-event.repository';

/** Worker name of the polling loop (`background_worker_*{worker="meter_outbox"}`). */
export const METER_OUTBOX_WORKER = 'meter_outbox';

/**
 * The meter event `identifier` (and idempotency key) of a usage event: tenant, feature and source
 * (`chat_message:<message id>`) hashed like a client usage key, so every send of one event is the
 * same Stripe event and no client key (`POST .../usage`) can collide with it.
 */
export function meterIdentifierOf(
  event: Pick<ClaimedUsageEvent, 'tenantId' | 'featureKey' | 'sourceType' | 'sourceId'>,
): string {
  return usageIdentifier(event.tenantId, event.featureKey, `${event.sourceType}:${event.sourceId}`);
}

interface TenantCustomer {
  customerId: string;
  subscriptionId: string;
}

/**
 * Sends `usage_events` to Stripe Billing Meters (docs/billing-metering.md), on when
 * ENABLE_BILLING_METER_WORKER. Each poll claims a batch of due pending events with FOR UPDATE
 * SKIP LOCKED and a lease (decision P12), so any number of replicas share the work, and a worker
 * killed mid-batch only delays its rows until the lease lapses. Each event is one meter event whose
 * `identifier` (and idempotency key) derives from tenant, feature and source, so an event sent
 * twice (lapsed lease, crash after Stripe answered) is counted once by Stripe. A tenant without a
 * Stripe customer is `skipped`; failures retry with capped exponential backoff, then `dead`.
 */
@Injectable()
export class MeterOutboxWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log: Logger;
  private readonly loop: PollingLoop;

  constructor(
    private readonly config: AppConfig,
    private readonly events: UsageEventRepository,
    private readonly customers: StripeCustomerRepository,
    private readonly subscriptions: SubscriptionRepository,
    private readonly gateway: StripeGateway,
    private readonly metrics: MeterMetrics,
    private readonly lifecycle: LifecycleService,
    loggers: LoggerFactory,
    workerMetrics: WorkerMetrics,
  ) {
    this.log = loggers.get('anything-agents.services.billing_meter');
    this.loop = new PollingLoop(
      METER_OUTBOX_WORKER,
      Math.round(config.BILLING_METER_POLL_SECONDS * 1000),
      () => this.poll(),
      this.log,
      workerMetrics,
    );
  }

  onApplicationBootstrap(): void {
    if (!this.config.ENABLE_BILLING_METER_WORKER) {
      this.log.info('Meter outbox worker disabled (ENABLE_BILLING_METER_WORKER=false)');
      return;
    }
    this.lifecycle.onDrain(() => this.loop.stop());
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /**
   * One poll; true when the batch was full (more may be due). `only` limits it to some tenants'
   * events (tests sharing one database, operator tooling).
   */
  async poll(only?: { tenantIds: string[] }): Promise<boolean> {
    const batch = this.config.BILLING_METER_BATCH_SIZE;
    const rows = await this.events.claimDue(
      batch,
      this.config.BILLING_METER_LEASE_SECONDS,
      only?.tenantIds ?? null,
    );
    await this.send(rows);
    this.metrics.pending.set(await this.events.pendingCount());
    return rows.length === batch;
  }

  /** Sends claimed events, one meter event each, in order (exposed for tests). */
  async send(rows: ClaimedUsageEvent[]): Promise<void> {
    const customers = new Map<string, TenantCustomer | null>();
    for (const row of rows) {
      let customer = customers.get(row.tenantId);
      if (customer === undefined) {
        customer = await this.customerOf(row.tenantId);
        customers.set(row.tenantId, customer);
      }
      const result = await this.sendOne(row, customer);
      this.metrics.events.inc({ result });
    }
  }

  private async sendOne(
    row: ClaimedUsageEvent,
    customer: TenantCustomer | null,
  ): Promise<MeterResult> {
    const fields = {
      usage_event_id: row.id,
      tenant_id: row.tenantId,
      feature: row.featureKey,
      source_id: row.sourceId,
    };
    if (!customer) {
      await this.events.settle(row, 'skipped', 'tenant has no Stripe customer');
      return 'skipped';
    }
    if (tooOldToMeter(row.occurredAt)) {
      await this.events.settle(row, 'dead', 'older than Stripe accepts meter events (35 days)');
      this.log.error(fields, 'Usage event too old to meter; marked dead');
      return 'dead';
    }
    const identifier = meterIdentifierOf(row);
    try {
      const { duplicate } = await this.gateway.recordUsage({
        tenantId: row.tenantId,
        subscriptionId: customer.subscriptionId,
        customerId: customer.customerId,
        eventName: this.config.STRIPE_METER_EVENT_MAP[row.featureKey] ?? row.featureKey,
        featureKey: row.featureKey,
        quantity: row.quantity,
        timestamp: Math.floor(row.occurredAt.getTime() / 1000),
        identifier,
      });
      await this.events.settle(row, 'sent');
      if (duplicate) this.log.info(fields, 'Meter event already in Stripe; marked sent');
      return 'sent';
    } catch (error) {
      const message = describe(error);
      const outcome = afterMeterFailure(row.attempts, {
        maxAttempts: this.config.BILLING_METER_MAX_ATTEMPTS,
      });
      if (outcome.state === 'dead') {
        await this.events.settle(row, 'dead', message);
        this.log.error(
          { ...fields, attempts: outcome.attempts, error: message },
          'Meter event dead',
        );
        return 'dead';
      }
      await this.events.retryLater(row, message, outcome.delaySeconds);
      this.log.warn(
        {
          ...fields,
          attempts: outcome.attempts,
          retry_in_seconds: Math.round(outcome.delaySeconds),
          error: message,
        },
        'Meter event failed; will retry',
      );
      return 'failed';
    }
  }

  /** The tenant's live Stripe customer, or null (free tier: nothing to bill). */
  private async customerOf(tenantId: string): Promise<TenantCustomer | null> {
    const mapping = await this.customers.findByTenant(tenantId);
    if (!mapping || mapping.deletedAt) return null;
    const subscription = await this.subscriptions.findByTenant(tenantId);
    return {
      customerId: mapping.processorCustomerId,
      subscriptionId: subscription?.processorSubscriptionId ?? '',
    };
  }
}

function describe(error: unknown): string {
  if (error instanceof PaymentGatewayError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
