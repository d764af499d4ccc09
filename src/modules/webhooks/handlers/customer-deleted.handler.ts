import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  asString,
  CustomerSyncService,
  metadataOf,
  tenantFromMetadata,
  TenantResolver,
} from '../../billing';
import type {
  HandlerResult,
  StripeEventContext,
  StripeEventHandler,
} from '../dispatch/event-handler';

interface PreparedCustomer {
  tenantId: string | null;
  customerId: string | null;
}

/**
 * `customer.deleted`: the tenant's customer is gone (Stripe also cancels its subscriptions and
 * sends those events), so the mapping is retired and the next start creates a new customer.
 */
@Injectable()
export class CustomerDeletedHandler implements StripeEventHandler<PreparedCustomer> {
  readonly name = 'customer_sync';
  readonly eventTypes = ['customer.deleted'] as const;

  constructor(
    private readonly resolver: TenantResolver,
    private readonly customers: CustomerSyncService,
  ) {}

  async prepare(event: StripeEventContext): Promise<PreparedCustomer> {
    const customerId = asString(event.object.id);
    const tenantId = await this.resolver.resolve({
      metadataTenant: tenantFromMetadata(metadataOf(event.object.metadata)),
      customerId,
    });
    return { tenantId, customerId };
  }

  async apply(
    manager: EntityManager,
    _event: StripeEventContext,
    prepared: PreparedCustomer,
  ): Promise<HandlerResult> {
    const { tenantId, customerId } = prepared;
    if (!tenantId || !customerId) return { outcome: 'ignored', tenantId, broadcast: null };
    await this.customers.markDeleted(customerId, manager);
    return {
      outcome: 'applied',
      tenantId,
      broadcast: { summary: 'Customer deleted', status: 'deleted' },
    };
  }
}
