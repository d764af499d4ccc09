import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory } from '../../../platform/observability/logger.factory';
import {
  asString,
  BillingMetrics,
  BillingStreamPublisher,
  serializeBillingEvent,
  type PublishSource,
} from '../../billing';
import { StripeEventRepository, type StreamOutbox } from '../events/stripe-event.repository';
import type { HandlerResult, StripeEventContext } from './event-handler';

/**
 * Between processed events and the billing stream: builds the reference payload that is stored with
 * the processed outcome (the outbox), publishes it right after the commit, and marks it published.
 * A failed publish stays in the outbox for the outbox worker.
 */
@Injectable()
export class StreamRelay {
  private readonly log: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly events: StripeEventRepository,
    private readonly publisher: BillingStreamPublisher,
    private readonly metrics: BillingMetrics,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('anything-agents.services.billing_events');
  }

  /** The payload to store with the processed outcome, or null when nothing is published. */
  build(
    event: StripeEventContext,
    result: HandlerResult,
    processedAt: Date,
    source: PublishSource,
  ): StreamOutbox | null {
    if (!this.config.ENABLE_BILLING_STREAM) {
      this.metrics.streamEvents.inc({ source, result: 'skipped_backend' });
      return null;
    }
    if (!result.broadcast) return null;
    const tenantId = result.tenantId ?? event.tenantHint;
    if (!tenantId) {
      this.metrics.streamEvents.inc({ source, result: 'skipped_no_tenant' });
      return null;
    }
    const { broadcast } = result;
    const object = event.object;
    const status =
      broadcast.status ?? asString(object.status) ?? asString(object.billing_reason) ?? 'processed';
    return {
      tenantId,
      payload: serializeBillingEvent({
        tenantId,
        eventType: event.type,
        stripeEventId: event.stripeEventId,
        occurredAt: processedAt,
        summary: broadcast.summary ?? asString(object.description) ?? status,
        status,
        subscription: broadcast.subscription ?? null,
        invoice: broadcast.invoice ?? null,
        usage: broadcast.usage ?? [],
      }),
    };
  }

  /** Publishes a stored payload and marks it published; failures wait for the outbox worker. */
  async publish(
    eventRowId: string,
    meta: { eventType: string; stripeEventId: string },
    outbox: StreamOutbox,
    source: PublishSource,
  ): Promise<boolean> {
    try {
      await this.publisher.publish(outbox.tenantId, outbox.payload, { ...meta, source });
      await this.events.markPublished(eventRowId);
      return true;
    } catch (error) {
      this.metrics.webhookEvents.inc({ event_type: meta.eventType, result: 'stream_failed' });
      this.log.error(
        { err: error, stripe_event_id: meta.stripeEventId, event_type: meta.eventType },
        'Billing event not published; the outbox worker will retry',
      );
      return false;
    }
  }
}
