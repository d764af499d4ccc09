import { Injectable } from '@nestjs/common';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../../platform/observability/metrics.service';

/** Chat metrics added by this service (new names, no compatibility risk). */
@Injectable()
export class ChatMetrics {
  readonly requests: Counter<'mode' | 'agent' | 'result'>;
  readonly duration: Histogram;
  readonly timeToFirstToken: Histogram;
  readonly streamsActive: Gauge;
  readonly streamDuration: Histogram;
  readonly handoffs: Counter<'from' | 'to'>;
  readonly cancellations: Counter;

  constructor(metrics: MetricsService) {
    this.requests = metrics.counter({
      name: 'chat_requests_total',
      help: 'Chat turns by mode (sync/stream), entry agent and result',
      labelNames: ['mode', 'agent', 'result'],
    });
    this.duration = metrics.histogram({
      name: 'chat_request_duration_seconds',
      help: 'Duration of chat turns, request to stored reply',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    });
    this.timeToFirstToken = metrics.histogram({
      name: 'chat_time_to_first_token_seconds',
      help: 'Time from the request to the first streamed text delta',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    this.streamsActive = metrics.gauge({
      name: 'chat_stream_active',
      help: 'Open chat streams',
    });
    this.streamDuration = metrics.histogram({
      name: 'chat_stream_duration_seconds',
      help: 'Duration of chat streams',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    });
    this.handoffs = metrics.counter({
      name: 'agent_handoffs_total',
      help: 'Agent handoffs by source and target agent',
      labelNames: ['from', 'to'],
    });
    this.cancellations = metrics.counter({
      name: 'chat_run_cancellations_total',
      help: 'Chat runs stopped before completion (cancel request, client disconnect or shutdown)',
    });
  }
}
