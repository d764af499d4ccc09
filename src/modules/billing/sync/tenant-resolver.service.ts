import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { StripeCustomerRepository } from '../customers/stripe-customer.repository';
import { SubscriptionRepository } from '../subscriptions/subscription.repository';
import { isUuid } from '../../../platform/ids';

export interface TenantClues {
  /** Tenant named by the object's metadata (or its subscription details / lines). */
  metadataTenant?: string | null;
  subscriptionId?: string | null;
  customerId?: string | null;
}

/**
 * Which tenant a Stripe object belongs to (decision B2; the replaced service read invoice metadata
 * only): its metadata first, then our own mapping of Stripe subscription and customer ids, because
 * real invoices (and objects created in the Dashboard) carry no tenant metadata.
 */
@Injectable()
export class TenantResolver {
  constructor(
    private readonly subscriptions: SubscriptionRepository,
    private readonly customers: StripeCustomerRepository,
  ) {}

  async resolve(clues: TenantClues, manager?: EntityManager): Promise<string | null> {
    const named = clues.metadataTenant?.trim();
    if (named && isUuid(named)) return named.toLowerCase();
    if (clues.subscriptionId) {
      const row = await this.subscriptions.findByProcessorSubscriptionId(
        clues.subscriptionId,
        manager,
      );
      if (row) return row.tenantId;
    }
    if (clues.customerId) {
      const mapping = await this.customers.findByCustomerId(clues.customerId, manager);
      if (mapping) return mapping.tenantId;
      const row = await this.subscriptions.findByProcessorCustomerId(clues.customerId, manager);
      if (row) return row.tenantId;
    }
    return null;
  }
}
