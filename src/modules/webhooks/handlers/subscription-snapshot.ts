import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  readStripeSubscription,
  StripeGateway,
  SubscriptionSyncService,
  tenantFromMetadata,
  TenantResolver,
  toSubscriptionStreamView,
  type StripeSubscriptionState,
  type SubscriptionSyncResult,
} from '../../billing';
import { PermanentDispatchError, type StripeEventContext } from '../dispatch/event-handler';

export interface PreparedSnapshot {
  tenantId: string;
  state: StripeSubscriptionState;
  fetched: boolean;
}

/**
 * Shared by every handler whose event carries a Subscription: tenant resolution (metadata, then
 * our subscription/customer mapping), and "fetch on notify" when the event ties with the state
 * already applied (same second), so the newest state wins whatever the delivery order.
 */
@Injectable()
export class SubscriptionSnapshots {
  constructor(
    private readonly resolver: TenantResolver,
    private readonly sync: SubscriptionSyncService,
    private readonly gateway: StripeGateway,
  ) {}

  async prepare(event: StripeEventContext): Promise<PreparedSnapshot> {
    const state = readStripeSubscription(event.object);
    if (!state) throw new PermanentDispatchError('Event carries no subscription object');
    const tenantId = await this.resolver.resolve({
      metadataTenant: tenantFromMetadata(state.metadata),
      subscriptionId: state.id,
      customerId: state.customerId,
    });
    if (!tenantId) {
      throw new Error(
        `Missing tenant_id in subscription metadata and no tenant maps to ${state.id}`,
      );
    }
    const input = { tenantId, state, eventCreatedAt: event.created, eventId: event.stripeEventId };
    if (!(await this.sync.needsFetch(input))) return { tenantId, state, fetched: false };
    const current = await this.gateway.fetchSubscription(state.id);
    return { tenantId, state: current ?? state, fetched: true };
  }

  apply(
    manager: EntityManager,
    event: StripeEventContext,
    prepared: PreparedSnapshot,
  ): Promise<SubscriptionSyncResult> {
    return this.sync.apply(manager, {
      tenantId: prepared.tenantId,
      state: prepared.state,
      eventCreatedAt: event.created,
      eventId: event.stripeEventId,
      fetched: prepared.fetched,
    });
  }

  view = toSubscriptionStreamView;
}
