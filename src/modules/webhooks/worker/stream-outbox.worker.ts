import {
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LifecycleService } from '../../../platform/lifecycle/lifecycle.service';
import { WorkerMetrics } from '../../../platform/lifecycle/worker-metrics';
import { LoggerFactory } from '../../../platform/observability/logger.factory';
import { BillingMetrics } from '../../billing';
import { StreamRelay } from '../dispatch/stream-relay.service';
import { StripeEventRepository } from '../events/stripe-event.repository';
import { PollingLoop } from '../../../platform/lifecycle/polling-loop';

const BATCH = 100;
const CLAIM_SECONDS = 60;

/**
 * Drains the billing-stream outbox (replaces the reference's startup replay): processed events
 * whose payload was not published within BILLING_STREAM_OUTBOX_GRACE_SECONDS (Redis was down, the
 * process died) are claimed with SKIP LOCKED and published with source `replay`, so no replica
 * publishes one twice per claim and a restart republishes nothing that was already delivered. On
 * with ENABLE_BILLING_STREAM and ENABLE_BILLING_STREAM_REPLAY. Also keeps
 * `stripe_billing_stream_backlog_seconds` current.
 */
@Injectable()
export class StreamOutboxWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log: Logger;
  private readonly loop: PollingLoop;

  constructor(
    private readonly config: AppConfig,
    private readonly events: StripeEventRepository,
    private readonly relay: StreamRelay,
    private readonly metrics: BillingMetrics,
    private readonly lifecycle: LifecycleService,
    loggers: LoggerFactory,
    workerMetrics: WorkerMetrics,
  ) {
    this.log = loggers.get('anything-agents.services.billing_events');
    this.loop = new PollingLoop(
      'billing-stream-outbox',
      Math.round(config.BILLING_RETRY_POLL_SECONDS * 1000),
      () => this.poll(),
      this.log,
      workerMetrics,
    );
  }

  onApplicationBootstrap(): void {
    if (!this.config.ENABLE_BILLING_STREAM || !this.config.ENABLE_BILLING_STREAM_REPLAY) {
      this.log.info('Billing stream outbox worker disabled');
      return;
    }
    this.lifecycle.onDrain(() => this.loop.stop());
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  async poll(): Promise<boolean> {
    const entries = await this.events.claimUnpublished(
      BATCH,
      this.config.BILLING_STREAM_OUTBOX_GRACE_SECONDS,
      CLAIM_SECONDS,
    );
    for (const entry of entries) {
      await this.relay.publish(
        entry.id,
        { eventType: entry.eventType, stripeEventId: entry.stripeEventId },
        { tenantId: entry.tenantId, payload: entry.payload },
        'replay',
      );
    }
    this.metrics.streamBacklog.set(await this.events.outboxBacklogSeconds());
    return entries.length === BATCH;
  }
}
