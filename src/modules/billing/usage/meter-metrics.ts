import { Injectable } from '@nestjs/common';
import type { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../../../platform/observability/metrics.service';

export type MeterResult = 'sent' | 'skipped' | 'failed' | 'dead';

export const METER_RESULTS: readonly MeterResult[] = ['sent', 'skipped', 'failed', 'dead'];

/**
 * Metrics of the meter outbox worker: attempts by result (`failed` is an attempt that will be
 * retried) and the events still pending, updated after every poll.
 */
@Injectable()
export class MeterMetrics {
  readonly events: Counter<'result'>;
  readonly pending: Gauge;

  constructor(metrics: MetricsService) {
    this.events = metrics.counter({
      name: 'billing_meter_events_total',
      help: 'Usage events handled by the meter outbox worker, by result',
      labelNames: ['result'],
    });
    this.pending = metrics.gauge({
      name: 'billing_meter_events_pending',
      help: 'Usage events not yet sent to Stripe (meter_state pending)',
    });
    for (const result of METER_RESULTS) this.events.inc({ result }, 0);
  }
}
