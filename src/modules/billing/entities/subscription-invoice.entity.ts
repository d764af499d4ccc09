import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** `subscription_invoices`: local mirror of Stripe invoices, written by webhooks. */
@Entity({ name: 'subscription_invoices' })
export class SubscriptionInvoiceEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'subscription_id', type: 'uuid' })
  subscriptionId: string;

  @Column({ name: 'period_start', type: 'timestamptz' })
  periodStart: Date;

  @Column({ name: 'period_end', type: 'timestamptz' })
  periodEnd: Date;

  @Column({ name: 'amount_cents', type: 'integer' })
  amountCents: number;

  @Column({ type: 'varchar', length: 3, default: 'USD' })
  currency: string;

  @Column({ type: 'varchar', length: 16, default: 'draft' })
  status: string;

  @Column({ name: 'external_invoice_id', type: 'varchar', length: 128, nullable: true })
  externalInvoiceId: string | null;

  @Column({ name: 'hosted_invoice_url', type: 'varchar', length: 1024, nullable: true })
  hostedInvoiceUrl: string | null;

  @Column({ name: 'stripe_event_created_at', type: 'timestamptz', nullable: true })
  stripeEventCreatedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
