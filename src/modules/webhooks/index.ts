/**
 * The webhooks module's public surface: the module, and what the CLI and the benchmark use.
 */
export { WebhooksModule } from './webhooks.module';
export { WebhookDispatchModule } from './webhook-dispatch.module';
export { BillingMetricFamiliesModule } from './billing-metric-families.module';
export { WebhookErrorCode, WebhookException } from './webhooks.errors';
export { WebhookIntakeService, type IntakeResult } from './intake/webhook-intake.service';
export { StripeEventDispatcher, type DispatchResult } from './dispatch/stripe-event.dispatcher';
export { DispatchRetryWorker } from './worker/dispatch-retry.worker';
export {
  StripeEventReplayService,
  type ListQuery,
  type ReplayOutcome,
  type ReplaySelection,
  type ReplayTarget,
  type SelectedTargets,
} from './replay/stripe-event-replay.service';
export { DISPATCH_STATUSES, type DispatchStatus } from './entities/stripe-event-dispatch.entity';
export type { DispatchListing } from './events/dispatch.repository';
