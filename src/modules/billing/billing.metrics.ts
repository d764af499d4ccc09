import { Injectable } from '@nestjs/common';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../../platform/observability/metrics.service';

/** Label value rule of the reference: empty becomes `unknown`; plan codes are lower-cased. */
export function labelValue(value: string | null | undefined): string {
  const text = (value ?? '').trim();
  return text ? text : 'unknown';
}

/**
 * The reference billing metrics: per Stripe API attempt, per gateway operation, and the billing
 * stream publisher. Webhook metrics live in the webhooks module.
 */
@Injectable()
export class BillingMetrics {
  readonly apiRequests: Counter<'operation' | 'result'>;
  readonly apiLatency: Histogram<'operation' | 'result'>;
  readonly gatewayOperations: Counter<'operation' | 'plan_code' | 'result'>;
  readonly gatewayDuration: Histogram<'operation' | 'plan_code' | 'result'>;
  readonly streamEvents: Counter<'source' | 'result'>;
  readonly streamBacklog: Gauge;
  readonly webhookEvents: Counter<'event_type' | 'result'>;

  constructor(metrics: MetricsService) {
    this.apiRequests = metrics.counter({
      name: 'stripe_api_requests_total',
      help: 'Stripe API attempts by operation and result',
      labelNames: ['operation', 'result'],
    });
    this.apiLatency = metrics.histogram({
      name: 'stripe_api_latency_seconds',
      help: 'Latency of Stripe API attempts',
      labelNames: ['operation', 'result'],
    });
    this.gatewayOperations = metrics.counter({
      name: 'stripe_gateway_operations_total',
      help: 'Payment gateway operations by result',
      labelNames: ['operation', 'plan_code', 'result'],
    });
    this.gatewayDuration = metrics.histogram({
      name: 'stripe_gateway_operation_duration_seconds',
      help: 'Duration of payment gateway operations',
      labelNames: ['operation', 'plan_code', 'result'],
    });
    this.streamEvents = metrics.counter({
      name: 'stripe_billing_stream_events_total',
      help: 'Billing stream publications by source and result',
      labelNames: ['source', 'result'],
    });
    this.streamBacklog = metrics.gauge({
      name: 'stripe_billing_stream_backlog_seconds',
      help: 'Age of the oldest processed billing event not yet on the stream (0 when none)',
    });
    this.webhookEvents = metrics.counter({
      name: 'stripe_webhook_events_total',
      help: 'Stripe webhook events by type and result',
      labelNames: ['event_type', 'result'],
    });
  }
}
