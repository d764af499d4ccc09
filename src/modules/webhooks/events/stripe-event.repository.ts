import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { rowsOf } from '../../../platform/database';
import { StripeEventEntity } from '../entities/stripe-event.entity';

export interface NewStripeEvent {
  stripeEventId: string;
  eventType: string;
  payload: Record<string, unknown>;
  tenantHint: string | null;
  stripeCreatedAt: Date | null;
  /** Events without a handler are stored already processed, as in the reference. */
  processed: boolean;
  stream: StreamOutbox | null;
}

/** The billing-stream payload waiting to be published for a processed event. */
export interface StreamOutbox {
  tenantId: string;
  payload: string;
}

export interface OutboxEntry {
  id: string;
  stripeEventId: string;
  eventType: string;
  tenantId: string;
  payload: string;
}

const MAX_ERROR_CHARS = 4000;

/** `stripe_events`: the durable event store and its stream outbox columns. */
@Injectable()
export class StripeEventRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Stores the event unless its Stripe id is already stored: row id or null. Atomic, where the
   * replaced service's check-then-insert raced into 500s (decision B2).
   */
  async insertIfNew(event: NewStripeEvent, manager: EntityManager): Promise<string | null> {
    const rows = await rowsOf<{ id: string }>(
      manager,
      `INSERT INTO stripe_events
         (stripe_event_id, event_type, payload, tenant_hint, stripe_created_at, processing_outcome,
          processed_at, processing_attempts, stream_tenant_id, stream_payload)
       VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7 THEN now() END, CASE WHEN $7 THEN 1 ELSE 0 END, $8, $9)
       ON CONFLICT (stripe_event_id) DO NOTHING
       RETURNING id`,
      [
        event.stripeEventId,
        event.eventType,
        event.payload,
        event.tenantHint,
        event.stripeCreatedAt,
        event.processed ? 'processed' : 'received',
        event.processed,
        event.stream?.tenantId ?? null,
        event.stream?.payload ?? null,
      ],
    );
    return rows[0]?.id ?? null;
  }

  async findById(id: string, manager?: EntityManager): Promise<StripeEventEntity | null> {
    return (manager ?? this.dataSource.manager).findOne(StripeEventEntity, { where: { id } });
  }

  async findByStripeId(stripeEventId: string): Promise<StripeEventEntity | null> {
    return this.dataSource.manager.findOne(StripeEventEntity, { where: { stripeEventId } });
  }

  /** Outcome `processed` with the stream payload to publish (outbox), one more attempt. */
  async markProcessed(
    id: string,
    update: { tenantHint: string | null; stream: StreamOutbox | null; processedAt: Date },
    manager: EntityManager,
  ): Promise<void> {
    await manager.query(
      `UPDATE stripe_events
          SET processing_outcome = 'processed', processed_at = $5, processing_error = NULL,
              processing_attempts = processing_attempts + 1,
              tenant_hint = COALESCE(tenant_hint, $2),
              stream_tenant_id = $3, stream_payload = $4,
              stream_published_at = NULL, stream_claimed_until = NULL
        WHERE id = $1`,
      [
        id,
        update.tenantHint,
        update.stream?.tenantId ?? null,
        update.stream?.payload ?? null,
        update.processedAt,
      ],
    );
  }

  async markFailed(id: string, error: string, tenantHint: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE stripe_events
          SET processing_outcome = 'failed', processed_at = now(), processing_error = $2,
              processing_attempts = processing_attempts + 1,
              tenant_hint = COALESCE(tenant_hint, $3)
        WHERE id = $1`,
      [id, error.slice(0, MAX_ERROR_CHARS), tenantHint],
    );
  }

  async markPublished(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE stripe_events SET stream_published_at = now(), stream_claimed_until = NULL WHERE id = $1`,
      [id],
    );
  }

  /**
   * Claims processed events whose stream payload was not published within `graceSeconds`
   * (publisher down, process died): any replica, each row once per claim period.
   */
  async claimUnpublished(
    limit: number,
    graceSeconds: number,
    claimSeconds: number,
  ): Promise<OutboxEntry[]> {
    const rows = await rowsOf<{
      id: string;
      stripe_event_id: string;
      event_type: string;
      stream_tenant_id: string;
      stream_payload: string;
    }>(
      this.dataSource.manager,
      `UPDATE stripe_events
          SET stream_claimed_until = now() + make_interval(secs => $3)
        WHERE id IN (
          SELECT id FROM stripe_events
           WHERE stream_payload IS NOT NULL AND stream_published_at IS NULL
             AND processed_at < now() - make_interval(secs => $2)
             AND (stream_claimed_until IS NULL OR stream_claimed_until < now())
           ORDER BY processed_at
           LIMIT $1
           FOR UPDATE SKIP LOCKED)
        RETURNING id, stripe_event_id, event_type, stream_tenant_id, stream_payload`,
      [limit, graceSeconds, claimSeconds],
    );
    return rows.map((row) => ({
      id: row.id,
      stripeEventId: row.stripe_event_id,
      eventType: row.event_type,
      tenantId: row.stream_tenant_id,
      payload: row.stream_payload,
    }));
  }

  /** Seconds since the oldest processed-but-unpublished event was processed (0 when none). */
  async outboxBacklogSeconds(): Promise<number> {
    const rows: { age: number | string | null }[] = await this.dataSource.query(
      `SELECT EXTRACT(EPOCH FROM now() - MIN(processed_at)) AS age FROM stripe_events
        WHERE stream_payload IS NOT NULL AND stream_published_at IS NULL`,
    );
    return Math.max(0, Number(rows[0]?.age ?? 0));
  }

  /** Events stored `received` without any dispatch row (stored by older code or by hand). */
  async findOrphans(limit: number): Promise<{ id: string; eventType: string }[]> {
    return this.dataSource.query(
      `SELECT e.id, e.event_type AS "eventType" FROM stripe_events e
        WHERE e.processing_outcome = 'received'
          AND NOT EXISTS (SELECT 1 FROM stripe_event_dispatch d WHERE d.stripe_event_id = e.id)
        ORDER BY e.received_at
        LIMIT $1`,
      [limit],
    );
  }
}
