import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type {
  HandlerResult,
  StripeEventContext,
  StripeEventHandler,
} from '../dispatch/event-handler';
import { SubscriptionSnapshots, type PreparedSnapshot } from './subscription-snapshot';

/**
 * `customer.subscription.trial_will_end` (three days before a trial ends): the snapshot is
 * applied like any subscription event and the tenant is told on the billing stream, so the UI
 * can ask for a payment method.
 */
@Injectable()
export class TrialWillEndHandler implements StripeEventHandler<PreparedSnapshot> {
  readonly name = 'trial_notice';
  readonly eventTypes = ['customer.subscription.trial_will_end'] as const;

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
    const trialEnd = prepared.state.trialEnd;
    const row = result.outcome === 'applied' ? result.row : null;
    return {
      outcome: result.outcome === 'superseded' ? 'superseded' : 'applied',
      tenantId: prepared.tenantId,
      broadcast:
        result.outcome === 'superseded'
          ? null
          : {
              summary: trialEnd
                ? `Trial ends on ${trialEnd.toISOString().slice(0, 10)}`
                : 'Trial ending soon',
              status: 'trial_will_end',
              subscription: row ? this.snapshots.view(row) : null,
            },
    };
  }
}
