import { Injectable } from '@nestjs/common';
import { isUuid } from '../../../platform/ids';
import { RequestValidationException } from '../../../platform/http/validation/request-validation.exception';
import type { ValidationIssue } from '../../../platform/http/validation/validation-issue';
import { BillingErrorCode, BillingException } from '../billing.errors';
import { CustomerService } from '../customers/customer.service';
import { StripeCustomerRepository } from '../customers/stripe-customer.repository';
import { clientScopedKey } from '../gateway/idempotency-keys';
import { viaProvider } from '../gateway/provider-errors';
import { StripeGateway, type HostedSession } from '../gateway/stripe-gateway.service';
import { isTerminalStatus } from '../gateway/stripe-objects';
import { PlanService } from '../plans/plan.service';
import { SubscriptionRepository } from '../subscriptions/subscription.repository';
import { RedirectAllowList } from './redirect-allow-list';

export interface CheckoutCommand {
  planCode: string;
  seatCount: number | null;
  successUrl: string;
  cancelUrl: string;
  /** The client's `Idempotency-Key` header: the same value (and body) gives the same session. */
  clientKey: string | null;
}

export interface PortalCommand {
  returnUrl: string;
  clientKey: string | null;
}

const MAX_CLIENT_KEY_LENGTH = 255;

/**
 * Stripe Checkout and the Customer Portal for a tenant. Nothing is written locally except the
 * tenant's one Stripe customer (created once, reused, as for a direct start): the subscription row
 * appears when Stripe's `checkout.session.completed` / `customer.subscription.created` webhooks
 * arrive. Every local check (URLs, plan, price, live subscription) runs before Stripe is called.
 */
@Injectable()
export class CheckoutService {
  constructor(
    private readonly plans: PlanService,
    private readonly subscriptions: SubscriptionRepository,
    private readonly customers: CustomerService,
    private readonly customerMappings: StripeCustomerRepository,
    private readonly gateway: StripeGateway,
    private readonly redirects: RedirectAllowList,
  ) {}

  async createCheckoutSession(tenantId: string, command: CheckoutCommand): Promise<HostedSession> {
    this.assertValid([
      ...this.clientKeyIssues(command.clientKey),
      this.redirects.check('success_url', command.successUrl),
      this.redirects.check('cancel_url', command.cancelUrl),
    ]);
    const tenant = this.requireUuid(tenantId);
    const plan = await this.plans.require(command.planCode);
    if (!plan.isActive) throw BillingException.planNotFound(command.planCode);
    const priceId = this.plans.priceFor(plan.code);
    if (!(await this.subscriptions.tenantExists(tenant))) {
      throw new BillingException(
        404,
        `Tenant '${tenant}' not found.`,
        BillingErrorCode.TenantNotFound,
      );
    }
    const existing = await this.subscriptions.findByTenant(tenant);
    if (existing && !isTerminalStatus(existing.status)) {
      throw new BillingException(
        409,
        `Tenant already has an active subscription; manage it in the Customer Portal (POST /api/v1/billing/tenants/${tenant}/portal-sessions) or change plan with PATCH /api/v1/billing/tenants/${tenant}/subscription.`,
        BillingErrorCode.SubscriptionExists,
      );
    }
    const customer = await viaProvider(() =>
      this.customers.ensure(tenant, existing?.billingEmail ?? null),
    );
    const quantity = command.seatCount ?? 1;
    const trialDays = plan.trialDays && plan.trialDays > 0 ? plan.trialDays : null;
    const params = {
      customerId: customer.customerId,
      priceId,
      quantity,
      trialDays,
      successUrl: command.successUrl,
      cancelUrl: command.cancelUrl,
    };
    return viaProvider(() =>
      this.gateway.createCheckoutSession({
        tenantId: tenant,
        planCode: plan.code,
        ...params,
        idempotencyKey: clientScopedKey('checkout', tenant, command.clientKey, params),
      }),
    );
  }

  async createPortalSession(tenantId: string, command: PortalCommand): Promise<HostedSession> {
    this.assertValid([
      ...this.clientKeyIssues(command.clientKey),
      this.redirects.check('return_url', command.returnUrl),
    ]);
    const tenant = this.requireUuid(tenantId);
    const customerId = await this.customerOf(tenant);
    if (!customerId) {
      throw new BillingException(
        409,
        `Tenant has no Stripe customer yet; start a subscription (POST /api/v1/billing/tenants/${tenant}/checkout-sessions) first.`,
        BillingErrorCode.BillingCustomerMissing,
      );
    }
    const params = { customerId, returnUrl: command.returnUrl };
    return viaProvider(() =>
      this.gateway.createPortalSession({
        tenantId: tenant,
        ...params,
        idempotencyKey: clientScopedKey('portal', tenant, command.clientKey, params),
      }),
    );
  }

  /** The tenant's live customer: the mapping, else the one a subscription row names. */
  private async customerOf(tenantId: string): Promise<string | null> {
    const mapping = await this.customerMappings.findByTenant(tenantId);
    if (mapping) return mapping.deletedAt ? null : mapping.processorCustomerId;
    return (await this.subscriptions.findByTenant(tenantId))?.processorCustomerId ?? null;
  }

  private requireUuid(tenantId: string): string {
    if (!isUuid(tenantId)) {
      throw new BillingException(
        400,
        'Tenant identifier is not a valid UUID.',
        BillingErrorCode.InvalidTenant,
      );
    }
    return tenantId.toLowerCase();
  }

  private clientKeyIssues(clientKey: string | null): ValidationIssue[] {
    if (clientKey === null) return [];
    if (clientKey.length >= 1 && clientKey.length <= MAX_CLIENT_KEY_LENGTH) return [];
    return [
      {
        type: clientKey.length === 0 ? 'string_too_short' : 'string_too_long',
        loc: ['header', 'idempotency-key'],
        msg:
          clientKey.length === 0
            ? 'String should have at least 1 character'
            : `String should have at most ${MAX_CLIENT_KEY_LENGTH} characters`,
        input: clientKey.length === 0 ? clientKey : `${clientKey.slice(0, 32)}...`,
        ctx: clientKey.length === 0 ? { min_length: 1 } : { max_length: MAX_CLIENT_KEY_LENGTH },
      },
    ];
  }

  private assertValid(issues: (ValidationIssue | null)[]): void {
    const found = issues.filter((issue): issue is ValidationIssue => issue !== null);
    if (found.length > 0) throw new RequestValidationException(found);
  }
}
