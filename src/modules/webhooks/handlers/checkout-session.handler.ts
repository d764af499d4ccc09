import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  asString,
  CustomerSyncService,
  metadataOf,
  refId,
  StripeGateway,
  SubscriptionSyncService,
  tenantFromMetadata,
  TenantResolver,
  toSubscriptionStreamView,
  type StripeSubscriptionState,
} from '../../billing';
import type {
  HandlerResult,
  StripeEventContext,
  StripeEventHandler,
} from '../dispatch/event-handler';

interface PreparedCheckout {
  tenantId: string | null;
  customerId: string | null;
  subscription: StripeSubscriptionState | null;
  status: string | null;
}

/**
 * `checkout.session.completed`: a tenant paid through Stripe Checkout. The session names the
 * tenant (metadata or `client_reference_id`), its customer and subscription; the customer is
 * recorded as the tenant's and the subscription is fetched from Stripe and applied.
 */
@Injectable()
export class CheckoutSessionHandler implements StripeEventHandler<PreparedCheckout> {
  readonly name = 'checkout_sync';
  readonly eventTypes = ['checkout.session.completed'] as const;

  constructor(
    private readonly resolver: TenantResolver,
    private readonly customers: CustomerSyncService,
    private readonly subscriptions: SubscriptionSyncService,
    private readonly gateway: StripeGateway,
  ) {}

  async prepare(event: StripeEventContext): Promise<PreparedCheckout> {
    const session = event.object;
    const customerId = refId(session.customer);
    const subscriptionId = refId(session.subscription);
    const tenantId = await this.resolver.resolve({
      metadataTenant:
        tenantFromMetadata(metadataOf(session.metadata)) ?? asString(session.client_reference_id),
      subscriptionId,
      customerId,
    });
    if (!tenantId) {
      return { tenantId: null, customerId, subscription: null, status: asString(session.status) };
    }
    const subscription = subscriptionId
      ? await this.gateway.fetchSubscription(subscriptionId)
      : null;
    return { tenantId, customerId, subscription, status: asString(session.status) };
  }

  async apply(
    manager: EntityManager,
    event: StripeEventContext,
    prepared: PreparedCheckout,
  ): Promise<HandlerResult> {
    const { tenantId } = prepared;
    if (!tenantId) return { outcome: 'ignored', tenantId: null, broadcast: null };
    if (prepared.customerId) await this.customers.link(tenantId, prepared.customerId, manager);
    const synced = prepared.subscription
      ? await this.subscriptions.apply(manager, {
          tenantId,
          state: prepared.subscription,
          eventCreatedAt: event.created,
          eventId: event.stripeEventId,
          fetched: true,
        })
      : null;
    const row = synced?.outcome === 'applied' ? synced.row : null;
    return {
      outcome: 'applied',
      tenantId,
      broadcast: {
        summary: 'Checkout completed',
        status: prepared.status ?? 'complete',
        subscription: row ? toSubscriptionStreamView(row) : null,
      },
    };
  }
}
