import { Module } from '@nestjs/common';
import { WebhookDispatchModule } from '../../modules/webhooks';
import { StripeEventsPrompt } from './stripe-events.prompt';

/**
 * What the `stripe-events` commands need besides the platform: the webhook dispatch core (event
 * store, dispatcher, replay service; no intake, no background worker, so a one-shot command
 * starts nothing) and the confirmation prompt. Imported by the CLI root module; the commands
 * themselves are listed in CLI_COMMANDS.
 */
@Module({
  imports: [WebhookDispatchModule],
  providers: [StripeEventsPrompt],
  exports: [StripeEventsPrompt, WebhookDispatchModule],
})
export class StripeEventsCliModule {}
