import { Module } from '@nestjs/common';
import { BillingModule } from '../billing';
import { StripeWebhookController } from './intake/stripe-webhook.controller';
import { WebhookIntakeService } from './intake/webhook-intake.service';
import { WebhookSignatureVerifier } from './intake/webhook-signature.verifier';
import { WebhookDispatchModule } from './webhook-dispatch.module';
import { DispatchRetryWorker } from './worker/dispatch-retry.worker';
import { StreamOutboxWorker } from './worker/stream-outbox.worker';

/**
 * Stripe webhooks (decisions B2/P12): the verified intake `POST /webhooks/stripe` and the retry and
 * stream-outbox workers, on top of the dispatch core. Applies events through billing's exported
 * services; billing never imports this module.
 */
@Module({
  imports: [BillingModule, WebhookDispatchModule],
  controllers: [StripeWebhookController],
  providers: [
    WebhookSignatureVerifier,
    WebhookIntakeService,
    DispatchRetryWorker,
    StreamOutboxWorker,
  ],
  exports: [WebhookIntakeService, DispatchRetryWorker, WebhookDispatchModule],
})
export class WebhooksModule {}
