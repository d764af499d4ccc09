import { isoOffsetOrNull, isoZ, isoZOrNull } from '../../../platform/time/iso';
import type { TenantSubscriptionResponse } from '../dto/tenant-subscription-response.dto';
import type { TenantSubscriptionEntity } from '../entities/tenant-subscription.entity';

/** Wire shape of a subscription row (REST timestamps in pydantic style). */
export function toSubscriptionResponse(row: TenantSubscriptionEntity): TenantSubscriptionResponse {
  return {
    tenant_id: row.tenantId,
    plan_code: row.plan?.code ?? 'unknown',
    status: row.status,
    auto_renew: row.autoRenew,
    billing_email: row.billingEmail,
    starts_at: isoZ(row.startsAt),
    current_period_start: isoZOrNull(row.currentPeriodStart),
    current_period_end: isoZOrNull(row.currentPeriodEnd),
    trial_ends_at: isoZOrNull(row.trialEndsAt),
    cancel_at: isoZOrNull(row.cancelAt),
    seat_count: row.seatCount,
    metadata: row.metadataJson ?? {},
  };
}

/** The `subscription` object of a billing stream payload (times in Python isoformat). */
export interface SubscriptionStreamView {
  plan_code: string;
  status: string;
  seat_count: number | null;
  auto_renew: boolean;
  current_period_start: string | null;
  current_period_end: string | null;
  trial_ends_at: string | null;
  cancel_at: string | null;
}

export function toSubscriptionStreamView(row: TenantSubscriptionEntity): SubscriptionStreamView {
  return {
    plan_code: row.plan?.code ?? 'unknown',
    status: row.status,
    seat_count: row.seatCount,
    auto_renew: row.autoRenew,
    current_period_start: isoOffsetOrNull(row.currentPeriodStart),
    current_period_end: isoOffsetOrNull(row.currentPeriodEnd),
    trial_ends_at: isoOffsetOrNull(row.trialEndsAt),
    cancel_at: isoOffsetOrNull(row.cancelAt),
  };
}
