import { Injectable } from '@nestjs/common';
import type { Sql } from '../../../platform/database';
import { AuditLog, type AuditAction, type Principal } from '../../auth';
import type { TenantSubscriptionEntity } from '../entities/tenant-subscription.entity';
import { isTerminalStatus } from '../gateway/stripe-objects';

type SubscriptionAction = Extract<AuditAction, `subscription.${string}`>;

/**
 * What a write did to the tenant's subscription, as the audit log names it, or null when nothing
 * it records changed. Only status, plan and seat count count as a change: a replayed or echoed
 * webhook (Stripe's `customer.subscription.created` after our own start) carries the state
 * already stored and so records nothing a second time.
 */
export function subscriptionChange(
  before: TenantSubscriptionEntity | null,
  after: TenantSubscriptionEntity,
): SubscriptionAction | null {
  const replaced =
    !before ||
    before.processorSubscriptionId !== after.processorSubscriptionId ||
    (isTerminalStatus(before.status) && !isTerminalStatus(after.status));
  if (replaced) return isTerminalStatus(after.status) ? null : 'subscription.started';
  if (isTerminalStatus(after.status)) {
    return isTerminalStatus(before.status) ? null : 'subscription.canceled';
  }
  const changed =
    before.status !== after.status ||
    before.planId !== after.planId ||
    before.seatCount !== after.seatCount;
  return changed ? 'subscription.changed' : null;
}

/**
 * Subscription records in auth's audit log, written with the transaction `sql` of the row change
 * so the two commit together. The tenant is the subscription's; details hold plan, status and
 * seats (and the previous ones on a change), never the billing email or Stripe secrets.
 */
@Injectable()
export class SubscriptionAudit {
  constructor(private readonly audit: AuditLog) {}

  /** Records `action` (an explicit start or cancel by a caller). */
  async record(
    sql: Sql,
    actor: Principal | null,
    action: SubscriptionAction,
    before: TenantSubscriptionEntity | null,
    after: TenantSubscriptionEntity,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    const previous =
      before && action === 'subscription.changed'
        ? {
            previous: {
              plan_code: before.plan?.code ?? null,
              status: before.status,
              seat_count: before.seatCount,
            },
          }
        : {};
    await this.audit.record(sql, {
      actor,
      tenantId: after.tenantId,
      action,
      target: { type: 'subscription', id: after.id },
      details: {
        plan_code: after.plan?.code ?? null,
        status: after.status,
        seat_count: after.seatCount,
        auto_renew: after.autoRenew,
        cancel_at: after.cancelAt ? after.cancelAt.toISOString() : null,
        stripe_subscription_id: after.processorSubscriptionId,
        ...previous,
        ...extra,
      },
    });
  }

  /** Records what the write changed (see `subscriptionChange`); returns the action, or null. */
  async recordChange(
    sql: Sql,
    actor: Principal | null,
    before: TenantSubscriptionEntity | null,
    after: TenantSubscriptionEntity,
    extra: Record<string, unknown> = {},
  ): Promise<SubscriptionAction | null> {
    const action = subscriptionChange(before, after);
    if (action) await this.record(sql, actor, action, before, after, extra);
    return action;
  }
}
