import type { BillingPlanResponse } from '../dto/billing-plan-response.dto';
import type { BillingPlanEntity } from '../entities/billing-plan.entity';

/** Wire shape of a plan; non-boolean toggles are dropped (the replaced service failed on them). */
export function toPlanResponse(plan: BillingPlanEntity): BillingPlanResponse {
  const toggles: Record<string, boolean> = {};
  for (const [key, value] of Object.entries(plan.featureToggles ?? {})) {
    if (typeof value === 'boolean') toggles[key] = value;
  }
  return {
    code: plan.code,
    name: plan.name,
    interval: plan.interval,
    interval_count: plan.intervalCount,
    price_cents: plan.priceCents,
    currency: plan.currency,
    trial_days: plan.trialDays,
    seat_included: plan.seatIncluded,
    feature_toggles: toggles,
    is_active: plan.isActive,
    features: (plan.features ?? []).map((feature) => ({
      key: feature.featureKey,
      display_name: feature.displayName ?? feature.featureKey,
      description: feature.description,
      hard_limit: feature.hardLimit,
      soft_limit: feature.softLimit,
      is_metered: feature.isMetered,
    })),
  };
}
