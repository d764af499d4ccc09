import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { BillingPlanEntity } from './billing-plan.entity';

/**
 * `tenant_subscriptions`: one row per tenant, the local mirror of its Stripe subscription.
 * `processor_state_*` is the webhook ordering state (decision B2).
 */
@Entity({ name: 'tenant_subscriptions' })
export class TenantSubscriptionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'plan_id', type: 'uuid' })
  planId: string;

  @ManyToOne(() => BillingPlanEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'plan_id' })
  plan?: BillingPlanEntity;

  @Column({ type: 'varchar', length: 24, default: 'active' })
  status: string;

  @Column({ name: 'auto_renew', type: 'boolean', default: true })
  autoRenew: boolean;

  @Column({ name: 'billing_email', type: 'varchar', length: 256, nullable: true })
  billingEmail: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  processor: string | null;

  @Column({ name: 'processor_customer_id', type: 'varchar', length: 128, nullable: true })
  processorCustomerId: string | null;

  @Column({ name: 'processor_subscription_id', type: 'varchar', length: 128, nullable: true })
  processorSubscriptionId: string | null;

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt: Date;

  @Column({ name: 'current_period_start', type: 'timestamptz', nullable: true })
  currentPeriodStart: Date | null;

  @Column({ name: 'current_period_end', type: 'timestamptz', nullable: true })
  currentPeriodEnd: Date | null;

  @Column({ name: 'trial_ends_at', type: 'timestamptz', nullable: true })
  trialEndsAt: Date | null;

  @Column({ name: 'cancel_at', type: 'timestamptz', nullable: true })
  cancelAt: Date | null;

  @Column({ name: 'seat_count', type: 'integer', nullable: true })
  seatCount: number | null;

  @Column({ name: 'metadata_json', type: 'jsonb', nullable: true })
  metadataJson: Record<string, string> | null;

  @Column({ name: 'processor_state_at', type: 'timestamptz', nullable: true })
  processorStateAt: Date | null;

  @Column({ name: 'processor_state_event_id', type: 'varchar', length: 64, nullable: true })
  processorStateEventId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
