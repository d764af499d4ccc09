import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BillingModule } from '../billing';
import { StripeEventDispatcher } from './dispatch/stripe-event.dispatcher';
import { StreamRelay } from './dispatch/stream-relay.service';
import { StripeEventDispatchEntity } from './entities/stripe-event-dispatch.entity';
import { StripeEventEntity } from './entities/stripe-event.entity';
import { DispatchRepository } from './events/dispatch.repository';
import { StripeEventRepository } from './events/stripe-event.repository';
import { BillingSyncHandler } from './handlers/billing-sync.handler';
import { CheckoutSessionHandler } from './handlers/checkout-session.handler';
import { CustomerDeletedHandler } from './handlers/customer-deleted.handler';
import { HandlerRegistry } from './handlers/handler-registry';
import { InvoiceSyncHandler } from './handlers/invoice-sync.handler';
import { SubscriptionSnapshots } from './handlers/subscription-snapshot';
import { TrialWillEndHandler } from './handlers/trial-will-end.handler';
import { StripeEventReplayService } from './replay/stripe-event-replay.service';
import { WebhooksMetrics } from './webhooks.metrics';

const EXPORTED = [
  WebhooksMetrics,
  StripeEventRepository,
  DispatchRepository,
  HandlerRegistry,
  StreamRelay,
  StripeEventDispatcher,
  StripeEventReplayService,
];

/**
 * The event store, the dispatcher with its handlers, and the replay service: everything that
 * processes stored Stripe events, with no HTTP intake and no background worker. The CLI imports
 * this module alone (a one-shot command must not start workers); WebhooksModule builds on it.
 */
@Module({
  imports: [
    BillingModule,
    TypeOrmModule.forFeature([StripeEventEntity, StripeEventDispatchEntity]),
  ],
  providers: [
    ...EXPORTED,
    SubscriptionSnapshots,
    BillingSyncHandler,
    InvoiceSyncHandler,
    CheckoutSessionHandler,
    TrialWillEndHandler,
    CustomerDeletedHandler,
  ],
  exports: EXPORTED,
})
export class WebhookDispatchModule {}
