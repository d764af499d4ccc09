import { Injectable } from '@nestjs/common';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../../platform/observability/metrics.service';
import { BillingMetrics } from '../billing';

const LAG_BUCKETS = [0.5, 1, 5, 15, 30, 60, 300, 900, 3600, 21600, 86400];

/**
 * Webhook and dispatch metrics plus webhook lag (now - event `created`, at intake and when
 * processed) and the dead-letter gauge.
 */
@Injectable()
export class WebhooksMetrics {
  readonly events: Counter<'event_type' | 'result'>;
  readonly retries: Counter<'handler' | 'result'>;
  readonly deadLetters: Gauge;
  readonly lag: Histogram<'stage'>;

  constructor(metrics: MetricsService, billing: BillingMetrics) {
    this.events = billing.webhookEvents;
    this.retries = metrics.counter({
      name: 'stripe_dispatch_retry_total',
      help: 'Dispatches replayed by the retry worker',
      labelNames: ['handler', 'result'],
    });
    this.deadLetters = metrics.gauge({
      name: 'stripe_dispatch_dead_letters',
      help: 'Dispatch rows in the dead state (retries exhausted or permanent error)',
    });
    this.lag = metrics.histogram({
      name: 'stripe_webhook_lag_seconds',
      help: 'Seconds between a Stripe event being created and it being received/processed here',
      labelNames: ['stage'],
      buckets: LAG_BUCKETS,
    });
  }

  observeLag(stage: 'received' | 'processed', created: Date | null): void {
    if (!created) return;
    this.lag.observe({ stage }, Math.max(0, (Date.now() - created.getTime()) / 1000));
  }
}
