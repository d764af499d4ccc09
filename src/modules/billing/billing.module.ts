import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth';
import { ChatModule } from '../chat';
import { ConversationsModule } from '../conversations';
import { AppConfig } from '../../platform/config/app-config';
import { BillingBootstrap } from './billing-bootstrap.service';
import { BillingController } from './billing.controller';
import { BillingMetrics } from './billing.metrics';
import { CheckoutController } from './checkout/checkout.controller';
import { CheckoutService } from './checkout/checkout.service';
import { RedirectAllowList } from './checkout/redirect-allow-list';
import { CustomerService } from './customers/customer.service';
import { ChatEntitlementsAdapter } from './entitlements/chat-entitlements.adapter';
import { ChatQuotaCounter } from './entitlements/chat-quota.counter';
import { EntitlementsController } from './entitlements/entitlements.controller';
import { EntitlementsRepository } from './entitlements/entitlements.repository';
import { EntitlementsService } from './entitlements/entitlements.service';
import { StripeCustomerRepository } from './customers/stripe-customer.repository';
import { BillingPlanEntity } from './entities/billing-plan.entity';
import { PlanFeatureEntity } from './entities/plan-feature.entity';
import { StripeCustomerEntity } from './entities/stripe-customer.entity';
import { SubscriptionInvoiceEntity } from './entities/subscription-invoice.entity';
import { SubscriptionUsageEntity } from './entities/subscription-usage.entity';
import { TenantSubscriptionEntity } from './entities/tenant-subscription.entity';
import { UsageEventEntity } from './entities/usage-event.entity';
import { StripeApi } from './gateway/stripe-api.service';
import { createStripeClient, STRIPE_CLIENT } from './gateway/stripe-client.factory';
import { StripeGateway } from './gateway/stripe-gateway.service';
import { InvoiceRepository } from './invoices/invoice.repository';
import { InvoiceService } from './invoices/invoice.service';
import { PlanRepository } from './plans/plan.repository';
import { PlanService } from './plans/plan.service';
import { SignupBillingAdapter } from './signup/signup-billing.adapter';
import { BillingEventsRedis } from './stream/billing-events-redis';
import { BillingStreamController } from './stream/billing-stream.controller';
import { BillingStreamHub } from './stream/billing-stream.hub';
import { BillingStreamPublisher } from './stream/billing-stream.publisher';
import { BillingStreamService } from './stream/billing-stream.service';
import { SeatLimitAdapter } from './subscriptions/seat-limit.adapter';
import { SubscriptionAudit } from './subscriptions/subscription-audit';
import { SubscriptionRepository } from './subscriptions/subscription.repository';
import { SubscriptionService } from './subscriptions/subscription.service';
import { CustomerSyncService } from './sync/customer-sync.service';
import { InvoiceSyncService } from './sync/invoice-sync.service';
import { SubscriptionSyncService } from './sync/subscription-sync.service';
import { TenantResolver } from './sync/tenant-resolver.service';
import { ChatUsageRecorder } from './usage/chat-usage.recorder';
import { MeterMetrics } from './usage/meter-metrics';
import { MeterOutboxWorker } from './usage/meter-outbox.worker';
import { UsageEventRepository } from './usage/usage-event.repository';
import { UsageRepository } from './usage/usage.repository';
import { UsageService } from './usage/usage.service';

/**
 * Billing: plans, tenant subscriptions, usage, the Stripe gateway and the billing SSE stream.
 * Mounted only when ENABLE_BILLING is on. Exports what the webhooks module applies events with;
 * billing never imports webhooks.
 */
@Module({
  imports: [
    AuthModule,
    ChatModule,
    ConversationsModule,
    TypeOrmModule.forFeature([
      BillingPlanEntity,
      PlanFeatureEntity,
      TenantSubscriptionEntity,
      SubscriptionInvoiceEntity,
      SubscriptionUsageEntity,
      StripeCustomerEntity,
      UsageEventEntity,
    ]),
  ],
  controllers: [
    BillingController,
    BillingStreamController,
    CheckoutController,
    EntitlementsController,
  ],
  providers: [
    BillingMetrics,
    { provide: STRIPE_CLIENT, inject: [AppConfig], useFactory: createStripeClient },
    StripeApi,
    StripeGateway,
    PlanRepository,
    PlanService,
    SubscriptionRepository,
    SubscriptionAudit,
    SubscriptionService,
    CheckoutService,
    RedirectAllowList,
    StripeCustomerRepository,
    CustomerService,
    UsageRepository,
    UsageService,
    UsageEventRepository,
    ChatUsageRecorder,
    MeterMetrics,
    MeterOutboxWorker,
    InvoiceRepository,
    InvoiceService,
    BillingEventsRedis,
    BillingStreamPublisher,
    BillingStreamHub,
    BillingStreamService,
    TenantResolver,
    SubscriptionSyncService,
    InvoiceSyncService,
    CustomerSyncService,
    SignupBillingAdapter,
    SeatLimitAdapter,
    EntitlementsRepository,
    EntitlementsService,
    ChatQuotaCounter,
    ChatEntitlementsAdapter,
    BillingBootstrap,
  ],
  exports: [
    BillingMetrics,
    StripeGateway,
    PlanService,
    SubscriptionRepository,
    BillingStreamPublisher,
    BillingStreamHub,
    TenantResolver,
    SubscriptionSyncService,
    InvoiceSyncService,
    CustomerSyncService,
  ],
})
export class BillingModule {}
