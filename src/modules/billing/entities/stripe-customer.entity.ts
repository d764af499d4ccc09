import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** `stripe_customers`: the tenant's one Stripe customer, created once and reused (decision B1). */
@Entity({ name: 'stripe_customers' })
export class StripeCustomerEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'processor_customer_id', type: 'varchar', length: 128, unique: true })
  processorCustomerId: string;

  /** Bumped when a deleted customer is replaced, so creation gets a new idempotency key. */
  @Column({ type: 'integer', default: 1 })
  generation: number;

  /** Successful subscription starts: keys subscription creation by our own sequence. */
  @Column({ name: 'subscription_starts', type: 'integer', default: 0 })
  subscriptionStarts: number;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
