import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import Stripe from 'stripe';
import { AppConfig } from '../../../platform/config/app-config';
import { LoggerFactory } from '../../../platform/observability/logger.factory';
import { MetricsService } from '../../../platform/observability/metrics.service';
import { BillingMetrics } from '../billing.metrics';
import { PaymentGatewayError } from './payment-gateway.error';
import { StripeApi, StripeCallFailure } from './stripe-api.service';
import { STRIPE_CLIENT } from './stripe-client.factory';
import { readStripeSubscription, type StripeSubscriptionState } from './stripe-objects';

/** Gateway operations (metric label `operation` of `stripe_gateway_operations_total`). */
export type GatewayOperation =
  | 'create_customer'
  | 'start_subscription'
  | 'update_subscription'
  | 'cancel_subscription'
  | 'record_usage'
  | 'fetch_subscription'
  | 'create_checkout_session'
  | 'create_portal_session';

export interface StartSubscriptionInput {
  tenantId: string;
  planCode: string;
  priceId: string;
  customerId: string;
  quantity: number;
  autoRenew: boolean;
  trialDays: number | null;
  idempotencyKey: string;
}

export interface UpdateSubscriptionInput {
  subscriptionId: string;
  tenantId: string;
  autoRenew?: boolean;
  seatCount?: number;
  /** Plan change: the new plan's price replaces the primary item's price, prorated. */
  plan?: { code: string; priceId: string };
  billingEmail?: { customerId: string; email: string };
  idempotencyKey: string;
}

export interface CheckoutSessionInput {
  tenantId: string;
  planCode: string;
  priceId: string;
  customerId: string;
  quantity: number;
  trialDays: number | null;
  successUrl: string;
  cancelUrl: string;
  idempotencyKey: string;
}

export interface PortalSessionInput {
  tenantId: string;
  customerId: string;
  returnUrl: string;
  idempotencyKey: string;
}

/** A hosted Stripe page the client redirects to (Checkout or the Customer Portal). */
export interface HostedSession {
  id: string;
  url: string;
}

export interface RecordUsageInput {
  tenantId: string;
  subscriptionId: string;
  customerId: string;
  eventName: string;
  featureKey: string;
  quantity: number;
  timestamp: number;
  identifier: string;
}

const EXPAND_ITEMS = ['items.data.price'];

/**
 * The payment gateway on stripe-node (decision B1): every mutating call carries a deterministic
 * idempotency key, subscriptions and customers carry tenant metadata, usage goes to Billing Meters.
 * Each operation is timed and counted with the reference labels, and failures become
 * PaymentGatewayError with the reference code and message.
 */
@Injectable()
export class StripeGateway {
  private readonly log: Logger;

  constructor(
    @Inject(STRIPE_CLIENT) private readonly stripe: Stripe,
    private readonly api: StripeApi,
    private readonly metrics: BillingMetrics,
    private readonly config: AppConfig,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('anything-agents.services.payment_gateway');
  }

  async createCustomer(input: {
    tenantId: string;
    email: string | null;
    idempotencyKey: string;
  }): Promise<string> {
    return this.run('create_customer', null, { tenant_id: input.tenantId }, async () => {
      const customer = await this.api.call('customer.create', () =>
        this.stripe.customers.create(
          {
            ...(input.email ? { email: input.email } : {}),
            description: `Tenant ${input.tenantId}`,
            metadata: { tenant_id: input.tenantId },
          },
          { idempotencyKey: input.idempotencyKey },
        ),
      );
      return customer.id;
    });
  }

  async startSubscription(input: StartSubscriptionInput): Promise<StripeSubscriptionState> {
    const context = {
      tenant_id: input.tenantId,
      quantity: input.quantity,
      auto_renew: input.autoRenew,
      trial_days: input.trialDays ?? undefined,
    };
    return this.run('start_subscription', input.planCode, context, async () => {
      const subscription = await this.api.call('subscription.create', () =>
        this.stripe.subscriptions.create(
          {
            customer: input.customerId,
            items: [{ price: input.priceId, quantity: input.quantity }],
            metadata: { tenant_id: input.tenantId, plan_code: input.planCode },
            expand: EXPAND_ITEMS,
            ...(input.autoRenew ? {} : { cancel_at_period_end: true }),
            ...(input.trialDays && input.trialDays > 0
              ? { trial_period_days: input.trialDays }
              : {}),
          },
          { idempotencyKey: input.idempotencyKey },
        ),
      );
      return this.state(subscription);
    });
  }

  /**
   * Reference update plus the plan change of decision B1: retrieve, then one modify with
   * `cancel_at_period_end` and the primary item's quantity and/or price (prorated), then the
   * customer's email. Returns the subscription as Stripe reports it afterwards.
   */
  async updateSubscription(input: UpdateSubscriptionInput): Promise<StripeSubscriptionState> {
    const context = {
      tenant_id: input.tenantId,
      subscription_id: input.subscriptionId,
      seat_count: input.seatCount,
      auto_renew: input.autoRenew,
      has_billing_email: input.billingEmail !== undefined,
    };
    return this.run('update_subscription', input.plan?.code ?? null, context, async () => {
      let state = this.state(
        await this.api.call('subscription.retrieve', () =>
          this.stripe.subscriptions.retrieve(input.subscriptionId, { expand: EXPAND_ITEMS }),
        ),
      );
      const params = this.updateParams(input, state);
      if (params) {
        const updated = await this.api.call('subscription.modify', () =>
          this.stripe.subscriptions.update(input.subscriptionId, params, {
            idempotencyKey: input.idempotencyKey,
          }),
        );
        state = this.state(updated);
      }
      const email = input.billingEmail;
      if (email) {
        await this.api.call('customer.modify', () =>
          this.stripe.customers.update(
            email.customerId,
            { email: email.email },
            { idempotencyKey: `${input.idempotencyKey}:customer` },
          ),
        );
      }
      return state;
    });
  }

  private updateParams(
    input: UpdateSubscriptionInput,
    current: StripeSubscriptionState,
  ): Stripe.SubscriptionUpdateParams | null {
    const params: Stripe.SubscriptionUpdateParams = {};
    if (input.autoRenew !== undefined) params.cancel_at_period_end = !input.autoRenew;
    if (input.seatCount !== undefined || input.plan) {
      if (!current.itemId) {
        throw new PaymentGatewayError(
          'update_subscription',
          'rejected',
          'missing_subscription_item',
          'Subscription has no items to update quantity.',
        );
      }
      params.items = [
        {
          id: current.itemId,
          ...(input.seatCount !== undefined ? { quantity: input.seatCount } : {}),
          ...(input.plan ? { price: input.plan.priceId } : {}),
        },
      ];
    }
    if (input.plan) {
      params.proration_behavior = 'create_prorations';
      params.metadata = { plan_code: input.plan.code };
    }
    return Object.keys(params).length > 0 ? { ...params, expand: EXPAND_ITEMS } : null;
  }

  async cancelSubscription(input: {
    tenantId: string;
    subscriptionId: string;
    atPeriodEnd: boolean;
    idempotencyKey: string;
  }): Promise<StripeSubscriptionState> {
    const context = {
      tenant_id: input.tenantId,
      subscription_id: input.subscriptionId,
      cancel_at_period_end: input.atPeriodEnd,
    };
    return this.run('cancel_subscription', null, context, async () => {
      const options = { idempotencyKey: input.idempotencyKey };
      const subscription = input.atPeriodEnd
        ? await this.api.call('subscription.modify', () =>
            this.stripe.subscriptions.update(
              input.subscriptionId,
              { cancel_at_period_end: true, expand: EXPAND_ITEMS },
              options,
            ),
          )
        : await this.api.call('subscription.cancel', () =>
            this.stripe.subscriptions.cancel(
              input.subscriptionId,
              { expand: EXPAND_ITEMS },
              options,
            ),
          );
      return this.state(subscription);
    });
  }

  /**
   * A subscription-mode Checkout Session for the tenant's customer. The tenant travels as
   * `client_reference_id`, session metadata and subscription metadata (with the plan), so the
   * `checkout.session.completed` and `customer.subscription.*` webhooks can each name the tenant.
   */
  async createCheckoutSession(input: CheckoutSessionInput): Promise<HostedSession> {
    const context = {
      tenant_id: input.tenantId,
      quantity: input.quantity,
      trial_days: input.trialDays ?? undefined,
    };
    return this.run('create_checkout_session', input.planCode, context, async () => {
      const session = await this.api.call('checkout_session.create', () =>
        this.stripe.checkout.sessions.create(
          {
            mode: 'subscription',
            customer: input.customerId,
            line_items: [{ price: input.priceId, quantity: input.quantity }],
            client_reference_id: input.tenantId,
            metadata: { tenant_id: input.tenantId, plan_code: input.planCode },
            subscription_data: {
              metadata: { tenant_id: input.tenantId, plan_code: input.planCode },
              ...(input.trialDays && input.trialDays > 0
                ? { trial_period_days: input.trialDays }
                : {}),
            },
            success_url: input.successUrl,
            cancel_url: input.cancelUrl,
          },
          { idempotencyKey: input.idempotencyKey },
        ),
      );
      return hostedSession(session.id, session.url);
    });
  }

  /** A Customer Portal session for the tenant's customer. */
  async createPortalSession(input: PortalSessionInput): Promise<HostedSession> {
    const context = { tenant_id: input.tenantId, customer_id: input.customerId };
    return this.run('create_portal_session', null, context, async () => {
      const session = await this.api.call('billing_portal_session.create', () =>
        this.stripe.billingPortal.sessions.create(
          { customer: input.customerId, return_url: input.returnUrl },
          { idempotencyKey: input.idempotencyKey },
        ),
      );
      return hostedSession(session.id, session.url);
    });
  }

  /**
   * One Billing Meter event (the replaced service used Stripe's removed usage records):
   * `identifier` is our usage idempotency key, so Stripe counts a re-sent report once. A duplicate
   * identifier means an earlier attempt reached Stripe: reported as `duplicate`, not as a failure.
   */
  async recordUsage(input: RecordUsageInput): Promise<{ duplicate: boolean }> {
    const context = {
      tenant_id: input.tenantId,
      subscription_id: input.subscriptionId,
      feature: input.featureKey,
      quantity: input.quantity,
      has_idempotency_key: true,
    };
    return this.run('record_usage', null, context, async () => {
      try {
        await this.api.call('meter_event.create', () =>
          this.stripe.billing.meterEvents.create(
            {
              event_name: input.eventName,
              identifier: input.identifier,
              timestamp: input.timestamp,
              payload: { stripe_customer_id: input.customerId, value: String(input.quantity) },
            },
            { idempotencyKey: input.identifier },
          ),
        );
        return { duplicate: false };
      } catch (error) {
        const stripeError = error instanceof StripeCallFailure ? error.stripeError : undefined;
        if (stripeError?.code === 'resource_already_exists' && stripeError.param === 'identifier') {
          return { duplicate: true };
        }
        throw error;
      }
    });
  }

  /** The current subscription ("fetch on notify" when webhook ordering is ambiguous). */
  async fetchSubscription(subscriptionId: string): Promise<StripeSubscriptionState | null> {
    const context = { subscription_id: subscriptionId };
    return this.run('fetch_subscription', null, context, async () => {
      try {
        return this.state(
          await this.api.call('subscription.retrieve', () =>
            this.stripe.subscriptions.retrieve(subscriptionId, { expand: EXPAND_ITEMS }),
          ),
        );
      } catch (error) {
        const stripeError = error instanceof StripeCallFailure ? error.stripeError : undefined;
        if (stripeError?.code === 'resource_missing') return null;
        throw error;
      }
    });
  }

  private state(subscription: Stripe.Subscription): StripeSubscriptionState {
    const state = readStripeSubscription(subscription);
    if (!state) throw new Error('Stripe returned a subscription without an id');
    return state;
  }

  /** Times, counts and logs one gateway operation; maps failures to PaymentGatewayError. */
  private async run<T>(
    operation: GatewayOperation,
    planCode: string | null,
    context: Record<string, unknown>,
    work: () => Promise<T>,
  ): Promise<T> {
    const startedAt = performance.now();
    const fields = { stripe_gateway_operation: operation, plan_code: planCode ?? undefined };
    const logContext = { ...fields, ...withoutNulls(context) };
    this.log.info(logContext, `Stripe gateway ${operation} started`);
    try {
      if (!this.config.STRIPE_SECRET_KEY) {
        throw new PaymentGatewayError(
          operation,
          'config',
          'config_missing',
          'STRIPE_SECRET_KEY is not configured.',
        );
      }
      const result = await work();
      this.observe(operation, planCode, 'success', startedAt);
      this.log.info(
        { ...logContext, duration_ms: Math.round(performance.now() - startedAt) },
        `Stripe gateway ${operation} completed`,
      );
      return result;
    } catch (error) {
      const mapped = toGatewayError(operation, error);
      this.observe(operation, planCode, mapped.code, startedAt);
      const level = mapped.kind === 'unavailable' ? 'error' : 'warn';
      this.log[level](
        { ...logContext, error: mapped.message, error_code: mapped.code },
        `Stripe gateway ${operation} failed`,
      );
      throw mapped;
    }
  }

  private observe(
    operation: GatewayOperation,
    planCode: string | null,
    result: string,
    startedAt: number,
  ): void {
    const labels = { operation, plan_code: (planCode ?? 'unknown').toLowerCase(), result };
    this.metrics.gatewayOperations.inc(labels);
    this.metrics.gatewayDuration.observe(labels, MetricsService.secondsSince(startedAt));
  }
}

function hostedSession(id: string, url: string | null): HostedSession {
  if (!url) throw new Error(`Stripe returned session ${id} without a url`);
  return { id, url };
}

function withoutNulls(context: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(context).filter(([, value]) => value !== null && value !== undefined),
  );
}

/** Reference error mapping with a rejected/unavailable split. */
export function toGatewayError(operation: GatewayOperation, error: unknown): PaymentGatewayError {
  if (error instanceof PaymentGatewayError) return error;
  const failure = error instanceof StripeCallFailure ? error : undefined;
  const stripeError = failure?.stripeError;
  if (!stripeError) {
    return new PaymentGatewayError(
      operation,
      'unavailable',
      'exception',
      `Stripe error during ${operation}: request failed`,
      undefined,
      undefined,
      { cause: error },
    );
  }
  const code = stripeError.code ?? stripeError.rawType ?? stripeError.type ?? 'stripe_error';
  const message = stripeError.userMessage ?? stripeError.message;
  const status = stripeError.statusCode;
  const unavailable =
    failure.retryable ||
    stripeError instanceof Stripe.errors.StripeAuthenticationError ||
    stripeError instanceof Stripe.errors.StripePermissionError ||
    stripeError instanceof Stripe.errors.StripeConnectionError ||
    (status !== undefined && status >= 500);
  return new PaymentGatewayError(
    operation,
    unavailable ? 'unavailable' : 'rejected',
    code,
    `Stripe error during ${operation}: ${message}`,
    status,
    stripeError.param,
    { cause: error },
  );
}
