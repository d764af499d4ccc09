import { Module } from '@nestjs/common';
import { BillingMetrics } from '../billing';
import { WebhooksMetrics } from './webhooks.metrics';

/**
 * Mounted in place of billing and webhooks when ENABLE_BILLING is off: registers their metric
 * families (counters and histograms with no series yet, gauges at 0), so dashboards and alert
 * rules written for billing find their metrics on every deployment instead of breaking.
 */
@Module({ providers: [BillingMetrics, WebhooksMetrics] })
export class BillingMetricFamiliesModule {}
