import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../platform/config/app-config';
import type { BillingPlanResponse } from '../dto/billing-plan-response.dto';
import type { BillingPlanEntity } from '../entities/billing-plan.entity';
import { BillingException } from '../billing.errors';
import { PlanRepository } from './plan.repository';
import { toPlanResponse } from './plan-view';

/** The plan catalog and its Stripe price mapping (STRIPE_PRODUCT_PRICE_MAP). */
@Injectable()
export class PlanService {
  constructor(
    private readonly plans: PlanRepository,
    private readonly config: AppConfig,
  ) {}

  async list(): Promise<BillingPlanResponse[]> {
    return (await this.plans.listWithFeatures()).map(toPlanResponse);
  }

  async require(planCode: string): Promise<BillingPlanEntity> {
    const plan = await this.plans.findByCode(planCode);
    if (!plan) throw BillingException.planNotFound(planCode);
    return plan;
  }

  async trialDays(planCode: string): Promise<number | null> {
    const plan = await this.plans.findByCode(planCode);
    return plan ? plan.trialDays : null;
  }

  /** The Stripe price of a plan; 400 when unmapped (checked before any Stripe call). */
  priceFor(planCode: string): string {
    const price = this.config.STRIPE_PRODUCT_PRICE_MAP[planCode];
    if (!price) throw BillingException.priceMappingMissing(planCode);
    return price;
  }

  /** The plan code mapped to a Stripe price id, if any (webhook plan resolution). */
  planForPrice(priceId: string | null): string | null {
    if (!priceId) return null;
    const entry = Object.entries(this.config.STRIPE_PRODUCT_PRICE_MAP).find(
      ([, price]) => price === priceId,
    );
    return entry?.[0] ?? null;
  }
}
