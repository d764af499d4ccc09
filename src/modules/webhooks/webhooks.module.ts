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
import { StripeWebhookController } from './intake/stripe-webhook.controller';
import { WebhookIntakeService } from './intake/webhook-intake.service';
import { WebhookSignatureVerifier } from './intake/webhook-signature.verifier';
import { StripeEventReplayService } from './replay/stripe-event-replay.service';
import { WebhooksMetrics } from './webhooks.metrics';
import { DispatchRetryWorker } from './worker/dispatch-retry.worker';
import { StreamOutboxWorker } from './worker/stream-outbox.worker';

/**
 * Stripe webhooks (spec billing 4-5, 9-10, decisions B2/P12): verified intake, the event store,
 * the dispatcher and its handlers, the retry and stream-outbox workers and the replay service
 * used by the CLI. Applies events through billing's exported services.
 */
@Module({
  imports: [
    BillingModule,
    TypeOrmModule.forFeature([StripeEventEntity, StripeEventDispatchEntity]),
  ],
  controllers: [StripeWebhookController],
  providers: [
    WebhooksMetrics,
    WebhookSignatureVerifier,
    StripeEventRepository,
    DispatchRepository,
    SubscriptionSnapshots,
    BillingSyncHandler,
    InvoiceSyncHandler,
    CheckoutSessionHandler,
    TrialWillEndHandler,
    CustomerDeletedHandler,
    HandlerRegistry,
    StreamRelay,
    StripeEventDispatcher,
    WebhookIntakeService,
    DispatchRetryWorker,
    StreamOutboxWorker,
    StripeEventReplayService,
  ],
  exports: [
    StripeEventReplayService,
    WebhookIntakeService,
    DispatchRetryWorker,
    StripeEventDispatcher,
  ],
})
export class WebhooksModule {}
