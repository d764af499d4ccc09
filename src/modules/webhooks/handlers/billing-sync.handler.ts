import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type {
  HandlerResult,
  StripeEventContext,
  StripeEventHandler,
} from '../dispatch/event-handler';
import { SubscriptionSnapshots, type PreparedSnapshot } from './subscription-snapshot';

/** `billing_sync`: subscription lifecycle events mirrored into `tenant_subscriptions`. */
@Injectable()
export class BillingSyncHandler implements StripeEventHandler<PreparedSnapshot> {
  readonly name = 'billing_sync';
  readonly eventTypes = [
    'customer.subscription.created',
    'customer.subscription.updated',
    'customer.subscription.deleted',
    'customer.subscription.paused',
    'customer.subscription.resumed',
    'customer.subscription.pending_update_applied',
    'customer.subscription.pending_update_expired',
  ] as const;

  constructor(private readonly snapshots: SubscriptionSnapshots) {}

  prepare(event: StripeEventContext): Promise<PreparedSnapshot> {
    return this.snapshots.prepare(event);
  }

  async apply(
    manager: EntityManager,
    event: StripeEventContext,
    prepared: PreparedSnapshot,
  ): Promise<HandlerResult> {
    const result = await this.snapshots.apply(manager, event, prepared);
    if (result.outcome !== 'applied' || !result.row) {
      return { outcome: result.outcome, tenantId: prepared.tenantId, broadcast: null };
    }
    return {
      outcome: 'applied',
      tenantId: prepared.tenantId,
      broadcast: {
        summary: `Subscription ${result.row.status}`,
        status: result.row.status,
        subscription: this.snapshots.view(result.row),
      },
    };
  }
}
