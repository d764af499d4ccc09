import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Outcomes of `stripe_events.processing_outcome` (reference values). */
export type ProcessingOutcome = 'received' | 'processed' | 'failed';

/**
 * `stripe_events`: every verified Stripe event, stored once (decision B2). The `stream_*` columns
 * are the billing-stream outbox written with the processed outcome.
 */
@Entity({ name: 'stripe_events' })
export class StripeEventEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'stripe_event_id', type: 'varchar', length: 64, unique: true })
  stripeEventId: string;

  @Column({ name: 'event_type', type: 'varchar', length: 128 })
  eventType: string;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ name: 'tenant_hint', type: 'varchar', length: 64, nullable: true })
  tenantHint: string | null;

  @Column({ name: 'stripe_created_at', type: 'timestamptz', nullable: true })
  stripeCreatedAt: Date | null;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt: Date | null;

  @Column({ name: 'processing_outcome', type: 'varchar', length: 32, default: 'received' })
  processingOutcome: ProcessingOutcome;

  @Column({ name: 'processing_error', type: 'text', nullable: true })
  processingError: string | null;

  @Column({ name: 'processing_attempts', type: 'integer', default: 0 })
  processingAttempts: number;

  @Column({ name: 'stream_tenant_id', type: 'varchar', length: 64, nullable: true })
  streamTenantId: string | null;

  @Column({ name: 'stream_payload', type: 'text', nullable: true })
  streamPayload: string | null;

  @Column({ name: 'stream_published_at', type: 'timestamptz', nullable: true })
  streamPublishedAt: Date | null;

  @Column({ name: 'stream_claimed_until', type: 'timestamptz', nullable: true })
  streamClaimedUntil: Date | null;
}
