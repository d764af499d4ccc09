import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/** Reference statuses plus `dead` (decision B2): retries exhausted or a permanent error. */
export type DispatchStatus = 'pending' | 'in_progress' | 'completed' | 'failed' | 'dead';

export const DISPATCH_STATUSES: readonly DispatchStatus[] = [
  'pending',
  'in_progress',
  'completed',
  'failed',
  'dead',
];

/**
 * `stripe_event_dispatch`: one row per (event, handler). A claimed row carries a lease
 * (`lease_expires_at`, `lease_token`): only the lease holder may complete or fail it, and an
 * expired lease makes a stuck `in_progress` row claimable again (decision P12).
 */
@Entity({ name: 'stripe_event_dispatch' })
export class StripeEventDispatchEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The internal `stripe_events.id`, not the `evt_...` id. */
  @Column({ name: 'stripe_event_id', type: 'uuid' })
  stripeEventId: string;

  @Column({ type: 'varchar', length: 64 })
  handler: string;

  @Column({ type: 'varchar', length: 32, default: 'pending' })
  status: DispatchStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt: Date | null;

  @Column({ name: 'next_retry_at', type: 'timestamptz', nullable: true })
  nextRetryAt: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt: Date | null;

  @Column({ name: 'lease_token', type: 'uuid', nullable: true })
  leaseToken: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
