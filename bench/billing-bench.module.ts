import { Body, Controller, Get, Module, Post, Query } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  BillingModule,
  BillingStreamPublisher,
  serializeBillingEvent,
} from '../src/modules/billing';

/** Bench-only hooks into billing: publish a stream event now, and count webhook outcomes. */
@Controller('__bench')
class BillingBenchController {
  constructor(
    private readonly publisher: BillingStreamPublisher,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Post('billing/publish')
  async publish(
    @Body() body: { tenantId: string; stripeEventId: string },
  ): Promise<{ eventId: string }> {
    const payload = serializeBillingEvent({
      tenantId: body.tenantId,
      eventType: 'invoice.paid',
      stripeEventId: body.stripeEventId,
      occurredAt: new Date(),
      summary: 'Bench invoice',
      status: 'paid',
    });
    const eventId = await this.publisher.publish(body.tenantId, payload, {
      eventType: 'invoice.paid',
      stripeEventId: body.stripeEventId,
      source: 'webhook',
    });
    return { eventId };
  }

  /** Per-event outcome of the webhook pipeline for events whose id starts with `prefix`. */
  @Get('webhooks/stats')
  async stats(@Query('prefix') prefix: string): Promise<Record<string, number>> {
    const [row] = await this.dataSource.query<Record<string, string>[]>(
      `SELECT count(*) AS stored,
              count(*) FILTER (WHERE e.processing_outcome = 'processed') AS processed,
              count(*) FILTER (WHERE e.processing_outcome = 'failed') AS failed,
              (SELECT count(*) FROM stripe_event_dispatch d JOIN stripe_events x ON x.id = d.stripe_event_id
                WHERE x.stripe_event_id LIKE $1) AS dispatch_rows,
              (SELECT count(*) FROM stripe_event_dispatch d JOIN stripe_events x ON x.id = d.stripe_event_id
                WHERE x.stripe_event_id LIKE $1 AND d.status = 'completed' AND d.attempts = 1) AS completed_once,
              (SELECT count(*) FROM stripe_event_dispatch d JOIN stripe_events x ON x.id = d.stripe_event_id
                WHERE x.stripe_event_id LIKE $1 AND d.attempts > 1) AS more_than_once
         FROM stripe_events e WHERE e.stripe_event_id LIKE $1`,
      [`${prefix}%`],
    );
    return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, Number(value)]));
  }
}

@Module({ imports: [BillingModule], controllers: [BillingBenchController] })
export class BillingBenchModule {}
