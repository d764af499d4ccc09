import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * `subscription_usage`: the usage ledger. The idempotency key (`external_event_id`) is unique per
 * (subscription, feature); the replaced service's per-period uniqueness is gone, so several reports
 * of one period are each recorded (migrations/1764100300000-billing-core.ts).
 */
@Entity({ name: 'subscription_usage' })
export class SubscriptionUsageEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'subscription_id', type: 'uuid' })
  subscriptionId: string;

  @Column({ name: 'feature_key', type: 'varchar', length: 64 })
  featureKey: string;

  @Column({ type: 'varchar', length: 32 })
  unit: string;

  @Column({ name: 'period_start', type: 'timestamptz' })
  periodStart: Date;

  @Column({ name: 'period_end', type: 'timestamptz' })
  periodEnd: Date;

  @Column({ type: 'integer' })
  quantity: number;

  @Column({ name: 'reported_at', type: 'timestamptz' })
  reportedAt: Date;

  @Column({ name: 'external_event_id', type: 'varchar', length: 128, nullable: true })
  externalEventId: string | null;
}
