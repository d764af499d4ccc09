import { Injectable } from '@nestjs/common';
import { idempotencyKey } from '../gateway/idempotency-keys';
import { StripeGateway } from '../gateway/stripe-gateway.service';
import { SubscriptionRepository } from '../subscriptions/subscription.repository';
import { StripeCustomerRepository } from './stripe-customer.repository';

export interface TenantCustomer {
  customerId: string;
  /** Successful subscription starts so far (part of the creation idempotency key). */
  subscriptionStarts: number;
}

/**
 * One Stripe customer per tenant, created once and reused (the replaced service created a new one
 * on every start). Creation is keyed by tenant and generation, so concurrent or repeated starts get
 * the same customer.
 */
@Injectable()
export class CustomerService {
  constructor(
    private readonly customers: StripeCustomerRepository,
    private readonly subscriptions: SubscriptionRepository,
    private readonly gateway: StripeGateway,
  ) {}

  async ensure(tenantId: string, email: string | null): Promise<TenantCustomer> {
    const mapping = await this.customers.findByTenant(tenantId);
    if (mapping && !mapping.deletedAt) {
      return {
        customerId: mapping.processorCustomerId,
        subscriptionStarts: mapping.subscriptionStarts,
      };
    }
    if (!mapping) {
      // A row written before the mapping table existed (or by a webhook) names the customer.
      const known = (await this.subscriptions.findByTenant(tenantId))?.processorCustomerId;
      if (known) {
        await this.customers.save(tenantId, known, 1);
        return { customerId: known, subscriptionStarts: 0 };
      }
    }
    const generation = mapping ? mapping.generation + 1 : 1;
    const customerId = await this.gateway.createCustomer({
      tenantId,
      email,
      idempotencyKey: idempotencyKey(['customer', 'create', tenantId, generation], { email }),
    });
    await this.customers.save(tenantId, customerId, generation);
    return { customerId, subscriptionStarts: mapping?.subscriptionStarts ?? 0 };
  }

  async countSubscriptionStart(tenantId: string): Promise<void> {
    await this.customers.countSubscriptionStart(tenantId);
  }
}
