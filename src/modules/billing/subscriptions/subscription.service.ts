import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { LoggerFactory } from '../../../platform/observability/logger.factory';
import { RequestContext } from '../../../platform/observability/request-context';
import { RedisService } from '../../../platform/redis/redis.service';
import type { Principal } from '../../auth';
import { BillingErrorCode, BillingException } from '../billing.errors';
import { CustomerService } from '../customers/customer.service';
import type { BillingPlanEntity } from '../entities/billing-plan.entity';
import type { TenantSubscriptionEntity } from '../entities/tenant-subscription.entity';
import { idempotencyKey } from '../gateway/idempotency-keys';
import { viaProvider } from '../gateway/provider-errors';
import { StripeGateway } from '../gateway/stripe-gateway.service';
import { isTerminalStatus, type StripeSubscriptionState } from '../gateway/stripe-objects';
import { PlanService } from '../plans/plan.service';
import { isUuid } from '../../../platform/ids';
import { EntitlementsService } from '../entitlements/entitlements.service';
import { SubscriptionAudit } from './subscription-audit';
import { SubscriptionRepository, type SubscriptionWrite } from './subscription.repository';

export interface StartSubscriptionCommand {
  planCode: string;
  billingEmail: string | null;
  autoRenew: boolean;
  seatCount: number | null;
  /** Signup only; the REST start never passes a trial. */
  trialDays: number | null;
}

export interface UpdateSubscriptionCommand {
  autoRenew?: boolean | null;
  billingEmail?: string | null;
  seatCount?: number | null;
  planCode?: string | null;
}

const START_LOCK_MS = 60_000;
const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Tenant subscriptions (decision B1). Every check that can fail locally runs before Stripe is
 * called, Stripe's answer is what gets stored (status, quantity, cancel fields), and a live
 * subscription is never started twice (409 for the same plan; a start for another plan is the
 * PATCH plan change; the replaced service allowed a second subscription).
 */
@Injectable()
export class SubscriptionService {
  private readonly log: Logger;

  constructor(
    private readonly plans: PlanService,
    private readonly subscriptions: SubscriptionRepository,
    private readonly customers: CustomerService,
    private readonly gateway: StripeGateway,
    private readonly redis: RedisService,
    private readonly audit: SubscriptionAudit,
    private readonly entitlements: EntitlementsService,
    @InjectDataSource() private readonly dataSource: DataSource,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('anything-agents.services.billing');
  }

  /** `GET .../subscription`: the stored row only (never Stripe); a non-UUID tenant is not found. */
  async get(tenantId: string): Promise<TenantSubscriptionEntity> {
    const row = isUuid(tenantId) ? await this.subscriptions.findByTenant(tenantId) : null;
    if (!row) {
      throw new BillingException(
        404,
        'Subscription not found.',
        BillingErrorCode.SubscriptionNotFound,
      );
    }
    return row;
  }

  /**
   * `POST .../subscription` and signup provisioning. `actor` is the caller for the audit log
   * (null for signup, which has no signed-in principal yet).
   */
  /** Starts (or, for another plan, switches) the subscription; entitlements reload everywhere. */
  async start(
    tenantId: string,
    command: StartSubscriptionCommand,
    actor: Principal | null = null,
  ): Promise<TenantSubscriptionEntity> {
    return this.thenInvalidate(tenantId, this.startRow(tenantId, command, actor));
  }

  async update(
    tenantId: string,
    command: UpdateSubscriptionCommand,
    actor: Principal | null = null,
  ): Promise<TenantSubscriptionEntity> {
    return this.thenInvalidate(tenantId, this.updateRow(tenantId, command, actor));
  }

  async cancel(
    tenantId: string,
    atPeriodEnd: boolean,
    actor: Principal | null = null,
  ): Promise<TenantSubscriptionEntity> {
    return this.thenInvalidate(tenantId, this.cancelRow(tenantId, atPeriodEnd, actor));
  }

  /** After a committed change, every replica drops the tenant's cached entitlements. */
  private async thenInvalidate<T>(tenantId: string, change: Promise<T>): Promise<T> {
    const result = await change;
    await this.entitlements.invalidate(tenantId);
    return result;
  }

  private async startRow(
    tenantId: string,
    command: StartSubscriptionCommand,
    actor: Principal | null = null,
  ): Promise<TenantSubscriptionEntity> {
    if (!isUuid(tenantId)) {
      throw new BillingException(
        400,
        'Tenant identifier is not a valid UUID.',
        BillingErrorCode.InvalidTenant,
      );
    }
    const plan = await this.plans.require(command.planCode);
    const priceId = this.plans.priceFor(plan.code);
    if (!(await this.subscriptions.tenantExists(tenantId))) {
      throw new BillingException(
        404,
        `Tenant '${tenantId}' not found.`,
        BillingErrorCode.TenantNotFound,
      );
    }
    this.assertNotSamePlan(await this.subscriptions.findByTenant(tenantId), plan);
    return this.withStartLock(tenantId, async () => {
      const existing = await this.subscriptions.findByTenant(tenantId);
      this.assertNotSamePlan(existing, plan);
      if (existing && !isTerminalStatus(existing.status)) {
        // A start for another plan on a live subscription is the PATCH plan change (prorated),
        // answered like a start; seats and email go along when the start names them.
        return this.update(
          tenantId,
          {
            planCode: plan.code,
            seatCount: command.seatCount ?? undefined,
            billingEmail: command.billingEmail ?? undefined,
          },
          actor,
        );
      }
      const billingEmail = command.billingEmail ?? existing?.billingEmail ?? null;
      const customer = await viaProvider(() => this.customers.ensure(tenantId, billingEmail));
      const quantity = command.seatCount ?? 1;
      const trialDays = command.trialDays && command.trialDays > 0 ? command.trialDays : null;
      const state = await viaProvider(() =>
        this.gateway.startSubscription({
          tenantId,
          planCode: plan.code,
          priceId,
          customerId: customer.customerId,
          quantity,
          autoRenew: command.autoRenew,
          trialDays,
          idempotencyKey: idempotencyKey(
            ['subscription', 'create', tenantId, customer.subscriptionStarts],
            { priceId, quantity, autoRenew: command.autoRenew, trialDays },
          ),
        }),
      );
      const row = await this.storeStarted(
        { tenantId, plan, priceId, billingEmail, command, state },
        existing,
        actor,
      );
      await this.customers.countSubscriptionStart(tenantId);
      return row;
    });
  }

  /** `PATCH .../subscription`: reference fields plus the plan change of decision B1. */
  private async updateRow(
    tenantId: string,
    command: UpdateSubscriptionCommand,
    actor: Principal | null = null,
  ): Promise<TenantSubscriptionEntity> {
    const { autoRenew, billingEmail, seatCount, planCode } = command;
    if (autoRenew == null && billingEmail == null && seatCount == null && planCode == null) {
      throw new BillingException(
        400,
        'No subscription fields provided for update.',
        BillingErrorCode.NoUpdateFields,
      );
    }
    const row = await this.requireRow(tenantId);
    const plan = planCode != null ? await this.plans.require(planCode) : null;
    const planChange = plan && plan.id !== row.planId ? plan : null;
    const changes: Partial<SubscriptionWrite> = {
      ...(autoRenew != null ? { autoRenew } : {}),
      ...(billingEmail != null ? { billingEmail } : {}),
      ...(seatCount != null ? { seatCount } : {}),
      ...(planChange ? { planId: planChange.id } : {}),
    };
    if (!row.processorSubscriptionId) {
      return this.writeChange(row, actor, (manager) =>
        this.subscriptions.update(row, changes, manager),
      );
    }
    if (isTerminalStatus(row.status)) throw BillingException.canceled();
    const priceId = planChange ? this.plans.priceFor(planChange.code) : null;
    const subscriptionId = row.processorSubscriptionId;
    const customerId = row.processorCustomerId;
    const stripeChanges = {
      autoRenew: autoRenew ?? undefined,
      seatCount: seatCount ?? undefined,
      plan: planChange && priceId ? { code: planChange.code, priceId } : undefined,
      billingEmail: billingEmail && customerId ? { customerId, email: billingEmail } : undefined,
    };
    const state = await viaProvider(() =>
      this.gateway.updateSubscription({
        tenantId,
        subscriptionId,
        ...stripeChanges,
        idempotencyKey: idempotencyKey(
          ['subscription', 'update', subscriptionId, requestId()],
          stripeChanges,
        ),
      }),
    );
    return this.writeChange(row, actor, (manager) =>
      this.subscriptions.update(
        row,
        {
          ...changes,
          ...this.stateColumns(state),
          seatCount: state.quantity ?? seatCount ?? row.seatCount,
          metadataJson: this.mergedMetadata(row, state),
        },
        manager,
      ),
    );
  }

  /** `POST .../cancel`: at period end (Stripe keeps billing until then) or immediately. */
  private async cancelRow(
    tenantId: string,
    atPeriodEnd: boolean,
    actor: Principal | null = null,
  ): Promise<TenantSubscriptionEntity> {
    const row = await this.requireRow(tenantId);
    const subscriptionId = row.processorSubscriptionId;
    if (!subscriptionId) throw BillingException.missingProcessorId();
    if (isTerminalStatus(row.status)) throw BillingException.canceled();
    const state = await viaProvider(() =>
      this.gateway.cancelSubscription({
        tenantId,
        subscriptionId,
        atPeriodEnd,
        idempotencyKey: idempotencyKey(['subscription', 'cancel', subscriptionId, requestId()], {
          atPeriodEnd,
        }),
      }),
    );
    const cancelAt = atPeriodEnd
      ? (state.cancelAt ?? state.currentPeriodEnd ?? row.currentPeriodEnd)
      : (state.canceledAt ?? new Date());
    return this.dataSource.transaction(async (manager) => {
      const updated = await this.subscriptions.update(
        row,
        { ...this.stateColumns(state), cancelAt, metadataJson: this.mergedMetadata(row, state) },
        manager,
      );
      // Recorded whether it ends now or at period end: the caller's decision is the event. The
      // `customer.subscription.deleted` webhook at period end then records the actual end.
      await this.audit.record(manager, actor, 'subscription.canceled', row, updated, {
        at_period_end: atPeriodEnd,
      });
      return updated;
    });
  }

  /** Writes a row change and its audit record (if status, plan or seats changed) in one transaction. */
  private writeChange(
    before: TenantSubscriptionEntity,
    actor: Principal | null,
    write: (manager: EntityManager) => Promise<TenantSubscriptionEntity>,
  ): Promise<TenantSubscriptionEntity> {
    return this.dataSource.transaction(async (manager) => {
      const after = await write(manager);
      await this.audit.recordChange(manager, actor, before, after);
      return after;
    });
  }

  /** The tenant's row with a Stripe subscription (usage, cancel): 404 otherwise. */
  async requireRow(tenantId: string): Promise<TenantSubscriptionEntity> {
    const row = isUuid(tenantId) ? await this.subscriptions.findByTenant(tenantId) : null;
    if (!row) throw BillingException.noActiveSubscription(tenantId);
    return row;
  }

  /** A live subscription on the same plan: starting it again is a 409 (another plan switches). */
  private assertNotSamePlan(row: TenantSubscriptionEntity | null, plan: BillingPlanEntity): void {
    if (row && !isTerminalStatus(row.status) && row.planId === plan.id) {
      throw new BillingException(
        409,
        'Tenant already has an active subscription.',
        BillingErrorCode.SubscriptionExists,
      );
    }
  }

  private async storeStarted(
    started: {
      tenantId: string;
      plan: BillingPlanEntity;
      priceId: string;
      billingEmail: string | null;
      command: StartSubscriptionCommand;
      state: StripeSubscriptionState;
    },
    existing: TenantSubscriptionEntity | null,
    actor: Principal | null,
  ): Promise<TenantSubscriptionEntity> {
    const { tenantId, plan, priceId, billingEmail, command, state } = started;
    try {
      return await this.dataSource.transaction(async (manager) => {
        const row = await this.subscriptions.upsert(
          {
            tenantId,
            planId: plan.id,
            billingEmail,
            processor: 'stripe',
            processorCustomerId: state.customerId,
            processorSubscriptionId: state.id,
            startsAt: state.currentPeriodStart ?? state.startDate ?? new Date(),
            ...this.stateColumns(state),
            seatCount: state.quantity ?? command.seatCount ?? plan.seatIncluded,
            metadataJson: {
              stripe_price_id: state.priceId ?? priceId,
              stripe_subscription_item_id: state.itemId ?? '',
            },
            // A new Stripe subscription: webhook ordering starts afresh.
            processorStateAt: null,
            processorStateEventId: null,
          },
          manager,
        );
        await this.audit.record(manager, actor, 'subscription.started', existing, row, {
          trial_days: command.trialDays && command.trialDays > 0 ? command.trialDays : null,
        });
        return row;
      });
    } catch (error) {
      // Stripe already holds the subscription; its `customer.subscription.created` webhook
      // carries the tenant metadata and recreates the row.
      this.log.error(
        { err: error, tenant_id: tenantId, subscription_id: state.id },
        'Stripe subscription created but the local row could not be written',
      );
      throw error;
    }
  }

  /** Columns Stripe owns, as Stripe reports them. */
  private stateColumns(state: StripeSubscriptionState) {
    return {
      status: state.status,
      autoRenew: !state.cancelAtPeriodEnd,
      currentPeriodStart: state.currentPeriodStart,
      currentPeriodEnd: state.currentPeriodEnd,
      trialEndsAt: state.trialEnd,
      cancelAt: state.cancelAt,
    };
  }

  private mergedMetadata(
    row: TenantSubscriptionEntity,
    state: StripeSubscriptionState,
  ): Record<string, string> {
    return {
      ...(row.metadataJson ?? {}),
      ...(state.priceId ? { stripe_price_id: state.priceId } : {}),
      ...(state.itemId ? { stripe_subscription_item_id: state.itemId } : {}),
    };
  }

  /** Serialises starts per tenant across replicas; a concurrent start is a 409, not a second subscription. */
  private async withStartLock<T>(tenantId: string, work: () => Promise<T>): Promise<T> {
    const key = `billing:subscription-start-lock:${tenantId}`;
    const token = randomUUID();
    const acquired = await this.redis.client.set(key, token, 'PX', START_LOCK_MS, 'NX');
    if (acquired !== 'OK') {
      throw new BillingException(
        409,
        'A subscription start is already in progress for this tenant.',
        BillingErrorCode.SubscriptionStartInProgress,
      );
    }
    try {
      return await work();
    } finally {
      await this.redis.client.eval(RELEASE_LOCK, 1, key, token).catch(() => undefined);
    }
  }
}

function requestId(): string {
  return RequestContext.requestId() ?? randomUUID();
}
