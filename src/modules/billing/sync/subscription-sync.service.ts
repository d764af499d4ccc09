import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { afterCommit } from '../../../platform/database';
import { StripeCustomerRepository } from '../customers/stripe-customer.repository';
import type { BillingPlanEntity } from '../entities/billing-plan.entity';
import type { TenantSubscriptionEntity } from '../entities/tenant-subscription.entity';
import {
  asString,
  isTerminalStatus,
  type StripeSubscriptionState,
} from '../gateway/stripe-objects';
import { PlanRepository } from '../plans/plan.repository';
import { PlanService } from '../plans/plan.service';
import { EntitlementsService } from '../entitlements/entitlements.service';
import { SubscriptionAudit } from '../subscriptions/subscription-audit';
import { SubscriptionRepository } from '../subscriptions/subscription.repository';

/**
 * - `applied`: the snapshot is now the tenant's state.
 * - `stale`: an older event than the state already applied; nothing written (the replaced service
 *   applied it anyway).
 * - `superseded`: the event is about another subscription than the tenant's live one.
 */
export type SyncOutcome = 'applied' | 'stale' | 'superseded';

export interface SubscriptionSyncInput {
  tenantId: string;
  state: StripeSubscriptionState;
  /** Stripe `created` of the event carrying the snapshot. */
  eventCreatedAt: Date | null;
  eventId: string;
  /** The snapshot was just fetched from Stripe ("fetch on notify"): current by definition. */
  fetched: boolean;
}

export interface SubscriptionSyncResult {
  outcome: SyncOutcome;
  row: TenantSubscriptionEntity | null;
}

export type SyncOrdering = 'apply' | 'stale' | 'superseded' | 'tie';

/** Two events of one subscription in the same second: only Stripe knows which is current. */
export class SubscriptionOrderingConflict extends Error {
  constructor(subscriptionId: string) {
    super(`Ambiguous event order for subscription ${subscriptionId}; fetch it and retry`);
    this.name = 'SubscriptionOrderingConflict';
  }
}

/**
 * Applies Stripe subscription snapshots from webhooks: ordered by the event's `created` per
 * subscription (a same-second tie is settled by fetching the subscription), merged into the row
 * instead of overwriting it as the replaced service did (our `billing_email` and metadata keys
 * survive), and the customer recorded in the tenant's mapping.
 */
@Injectable()
export class SubscriptionSyncService {
  constructor(
    private readonly subscriptions: SubscriptionRepository,
    private readonly customers: StripeCustomerRepository,
    private readonly plans: PlanRepository,
    private readonly planService: PlanService,
    private readonly audit: SubscriptionAudit,
    private readonly entitlements: EntitlementsService,
  ) {}

  /** Whether the snapshot ties with the applied state (then the caller fetches it first). */
  async needsFetch(input: Omit<SubscriptionSyncInput, 'fetched'>): Promise<boolean> {
    const row = await this.subscriptions.findByTenant(input.tenantId);
    return syncOrdering(row, input) === 'tie';
  }

  async apply(
    manager: EntityManager,
    input: SubscriptionSyncInput,
  ): Promise<SubscriptionSyncResult> {
    const row = await this.subscriptions.lockByTenant(input.tenantId, manager);
    const decision = syncOrdering(row, input);
    if (decision === 'superseded') return { outcome: decision, row };
    // A snapshot fetched from Stripe just now is current, whatever its event's age.
    if (decision === 'stale' && !input.fetched) return { outcome: decision, row };
    if (decision === 'tie' && !input.fetched) {
      throw new SubscriptionOrderingConflict(input.state.id);
    }
    const { state } = input;
    const sameSubscription = row?.processorSubscriptionId === state.id;
    const plan = await this.resolvePlan(state, row, manager);
    const previousAt = sameSubscription ? (row?.processorStateAt ?? null) : null;
    const stateAt = latest(previousAt, input.eventCreatedAt);
    const written = await this.subscriptions.upsert(
      {
        tenantId: input.tenantId,
        planId: plan.id,
        status: state.status,
        autoRenew: !state.cancelAtPeriodEnd,
        billingEmail: row?.billingEmail ?? null,
        processor: 'stripe',
        processorCustomerId: state.customerId ?? row?.processorCustomerId ?? null,
        processorSubscriptionId: state.id,
        startsAt:
          (sameSubscription ? row?.startsAt : null) ??
          state.startDate ??
          state.currentPeriodStart ??
          new Date(),
        currentPeriodStart: state.currentPeriodStart,
        currentPeriodEnd: state.currentPeriodEnd,
        trialEndsAt: state.trialEnd,
        cancelAt: state.cancelAt,
        seatCount: state.quantity ?? row?.seatCount ?? plan.seatIncluded,
        metadataJson: {
          ...(sameSubscription ? (row?.metadataJson ?? {}) : {}),
          stripe_price_id: state.priceId ?? '',
          ...(state.itemId ? { stripe_subscription_item_id: state.itemId } : {}),
          stripe_status: state.status,
        },
        processorStateAt: stateAt,
        processorStateEventId: input.eventCreatedAt
          ? input.eventId
          : sameSubscription
            ? (row?.processorStateEventId ?? null)
            : null,
      },
      manager,
    );
    if (state.customerId) {
      await this.customers.linkIfAbsent(input.tenantId, state.customerId, manager);
    }
    // In the dispatch transaction, by the system (no actor); only a change of status, plan or
    // seats is recorded, so a redelivered event or the echo of our own API write adds nothing.
    await this.audit.recordChange(manager, null, row, written, { stripe_event_id: input.eventId });
    // Runs inside the dispatcher's transaction: replicas must re-read only after it committed.
    afterCommit(manager, () => void this.entitlements.invalidate(input.tenantId));
    return { outcome: 'applied', row: written };
  }

  /**
   * Our price map first (it stays right after a price swap, when creation-time metadata is
   * stale), then the price's and the subscription's plan metadata, then the price nickname;
   * the first candidate naming an existing plan wins; else the row's current plan.
   */
  private async resolvePlan(
    state: StripeSubscriptionState,
    row: TenantSubscriptionEntity | null,
    manager: EntityManager,
  ): Promise<BillingPlanEntity> {
    const priceMetadata = state.price?.metadata as Record<string, unknown> | undefined;
    const candidates = [
      this.planService.planForPrice(state.priceId),
      asString(priceMetadata?.plan_code),
      asString(priceMetadata?.anything_agents_plan_code),
      asString(state.metadata.plan_code),
      asString(state.metadata.plan),
      asString(state.price?.nickname),
    ];
    for (const code of candidates) {
      if (!code) continue;
      const plan = await this.plans.findByCode(code, manager);
      if (plan) return plan;
    }
    const fallback = row?.planId ? await this.plans.findById(row.planId, manager) : null;
    if (fallback) return fallback;
    throw new Error(`Unable to determine plan_code for subscription ${state.id}.`);
  }
}

/** Where a snapshot stands against the tenant's row (exported for unit tests). */
export function syncOrdering(
  row: TenantSubscriptionEntity | null,
  input: Omit<SubscriptionSyncInput, 'fetched'>,
): SyncOrdering {
  if (!row) return 'apply';
  const current = row.processorSubscriptionId;
  if (current && current !== input.state.id) {
    // A new live subscription replaces a canceled one; anything else is about an old one.
    return isTerminalStatus(row.status) && !isTerminalStatus(input.state.status)
      ? 'apply'
      : 'superseded';
  }
  if (!row.processorStateAt || !input.eventCreatedAt) return 'apply';
  const difference = input.eventCreatedAt.getTime() - row.processorStateAt.getTime();
  if (difference < 0) return 'stale';
  if (difference > 0) return 'apply';
  return input.eventId === row.processorStateEventId ? 'apply' : 'tie';
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() >= b.getTime() ? a : b;
}
