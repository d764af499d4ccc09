import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { BillingPlanEntity } from '../entities/billing-plan.entity';

/** `billing_plans` with their features. */
@Injectable()
export class PlanRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every plan (inactive included, as in the reference) in a stable order: price, then code. */
  async listWithFeatures(): Promise<BillingPlanEntity[]> {
    return this.dataSource.getRepository(BillingPlanEntity).find({
      relations: { features: true },
      order: { priceCents: 'ASC', code: 'ASC', features: { featureKey: 'ASC' } },
    });
  }

  async findByCode(code: string, manager?: EntityManager): Promise<BillingPlanEntity | null> {
    return (manager ?? this.dataSource.manager).findOne(BillingPlanEntity, { where: { code } });
  }

  async findById(id: string, manager?: EntityManager): Promise<BillingPlanEntity | null> {
    return (manager ?? this.dataSource.manager).findOne(BillingPlanEntity, { where: { id } });
  }
}
