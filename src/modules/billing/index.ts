/**
 * The billing module's public surface: what other modules (webhooks, the CLI, the benchmark)
 * may import. Everything else in this folder is internal to billing.
 */
export { BillingModule } from './billing.module';
export { BillingException } from './billing.errors';
export { BillingMetrics, labelValue } from './billing.metrics';
export { MeterMetrics } from './usage/meter-metrics';
export { isLiveKey } from './gateway/stripe-client.factory';
export { StripeGateway } from './gateway/stripe-gateway.service';
export {
  asObject,
  asString,
  epochToDate,
  metadataOf,
  readStripeSubscription,
  refId,
  tenantFromMetadata,
  type JsonObject,
  type StripeSubscriptionState,
} from './gateway/stripe-objects';
export { PlanService } from './plans/plan.service';
export {
  serializeBillingEvent,
  withEventId,
  type InvoiceStreamView,
  type UsageStreamView,
} from './stream/billing-event-payload';
export { BillingStreamPublisher, type PublishSource } from './stream/billing-stream.publisher';
export { tenantStreamKey } from './stream/stream-ids';
export { SubscriptionRepository } from './subscriptions/subscription.repository';
export {
  toSubscriptionStreamView,
  type SubscriptionStreamView,
} from './subscriptions/subscription-view';
export { CustomerSyncService } from './sync/customer-sync.service';
export { InvoiceSyncService } from './sync/invoice-sync.service';
export { readStripeInvoice, type StripeInvoiceState } from './sync/stripe-invoice';
export {
  SubscriptionOrderingConflict,
  SubscriptionSyncService,
  type SubscriptionSyncResult,
} from './sync/subscription-sync.service';
export { TenantResolver } from './sync/tenant-resolver.service';
