import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { StripeCustomerRepository } from '../customers/stripe-customer.repository';

/** Customer lifecycle from webhooks: Checkout-created customers and deleted customers. */
@Injectable()
export class CustomerSyncService {
  constructor(private readonly customers: StripeCustomerRepository) {}

  /** Records a customer Stripe created for the tenant (e.g. by Checkout) unless one is live. */
  async link(tenantId: string, customerId: string, manager: EntityManager): Promise<void> {
    await this.customers.linkIfAbsent(tenantId, customerId, manager);
  }

  /** Forgets a deleted customer, so the tenant's next start creates a new one. */
  async markDeleted(customerId: string, manager: EntityManager): Promise<string | null> {
    return this.customers.markDeleted(customerId, manager);
  }
}
