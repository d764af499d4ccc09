import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { BillingPlanEntity } from './billing-plan.entity';

/** `plan_features`: descriptive per-plan features; none are seeded. */
@Entity({ name: 'plan_features' })
export class PlanFeatureEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'plan_id', type: 'uuid' })
  planId: string;

  @ManyToOne(() => BillingPlanEntity, (plan) => plan.features, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'plan_id' })
  plan?: BillingPlanEntity;

  @Column({ name: 'feature_key', type: 'varchar', length: 64 })
  featureKey: string;

  @Column({ name: 'display_name', type: 'varchar', length: 128, nullable: true })
  displayName: string | null;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'hard_limit', type: 'integer', nullable: true })
  hardLimit: number | null;

  @Column({ name: 'soft_limit', type: 'integer', nullable: true })
  softLimit: number | null;

  @Column({ name: 'is_metered', type: 'boolean', default: false })
  isMetered: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
