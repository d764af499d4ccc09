import {
  Column,
  CreateDateColumn,
  Entity,
  OneToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { PlanFeatureEntity } from './plan-feature.entity';

/** `billing_plans`: the plan catalog, seeded by migration. */
@Entity({ name: 'billing_plans' })
export class BillingPlanEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  code: string;

  @Column({ type: 'varchar', length: 128 })
  name: string;

  @Column({ type: 'varchar', length: 16, default: 'monthly' })
  interval: string;

  @Column({ name: 'interval_count', type: 'integer', default: 1 })
  intervalCount: number;

  @Column({ name: 'price_cents', type: 'integer' })
  priceCents: number;

  @Column({ type: 'varchar', length: 3, default: 'USD' })
  currency: string;

  @Column({ name: 'trial_days', type: 'integer', nullable: true })
  trialDays: number | null;

  @Column({ name: 'seat_included', type: 'integer', nullable: true })
  seatIncluded: number | null;

  @Column({ name: 'feature_toggles', type: 'jsonb', nullable: true })
  featureToggles: Record<string, unknown> | null;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive: boolean;

  // By entity name: plan-feature.entity.ts imports this file, so a value import would be a cycle.
  @OneToMany('PlanFeatureEntity', (feature: PlanFeatureEntity) => feature.plan)
  features?: PlanFeatureEntity[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
