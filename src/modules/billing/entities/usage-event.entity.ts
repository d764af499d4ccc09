import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Outbox states of a usage event (`meter_state`). */
export type MeterState = 'pending' | 'sent' | 'skipped' | 'dead';

/**
 * `usage_events`: metered usage recorded by the product (one row per chat turn) and sent to Stripe
 * Billing Meters by the meter outbox worker (migrations/1764100700000-billing-usage-events.ts,
 * docs/billing-metering.md). Unique per (tenant, feature, source). Written and read with SQL
 * (`usage/usage-event.repository.ts`); the entity documents the columns.
 */
@Entity({ name: 'usage_events' })
export class UsageEventEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'feature_key', type: 'varchar', length: 64 })
  featureKey: string;

  /** bigint: pg returns it as a string. */
  @Column({ type: 'bigint' })
  quantity: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ name: 'source_type', type: 'varchar', length: 32 })
  sourceType: string;

  @Column({ name: 'source_id', type: 'varchar', length: 128 })
  sourceId: string;

  @Column({ name: 'meter_state', type: 'varchar', length: 16, default: 'pending' })
  meterState: MeterState;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt: Date;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
