import { AppException } from '../../platform/http/app-exception';

/** Stable machine codes of billing failures (the envelope `code`); texts stay the reference's. */
export enum BillingErrorCode {
  PlanNotFound = 'plan_not_found',
  SubscriptionNotFound = 'subscription_not_found',
  SubscriptionExists = 'subscription_exists',
  SubscriptionStartInProgress = 'subscription_start_in_progress',
  SubscriptionCanceled = 'subscription_canceled',
  MissingProcessorId = 'subscription_missing_processor',
  TenantNotFound = 'tenant_not_found',
  InvalidTenant = 'invalid_tenant',
  NoUpdateFields = 'no_update_fields',
  InvalidUsage = 'invalid_usage',
  PriceMappingMissing = 'price_mapping_missing',
  ConfigMissing = 'config_missing',
  StripeRequestRejected = 'stripe_request_rejected',
  PaymentProviderUnavailable = 'payment_provider_unavailable',
  StreamDisabled = 'billing_stream_disabled',
  BillingCustomerMissing = 'billing_customer_missing',
}

/** A billing failure: status, reference detail text and a stable code. */
export class BillingException extends AppException {
  constructor(status: number, message: string, code: BillingErrorCode, cause?: unknown) {
    super(status, message, { code, cause });
  }

  static planNotFound(planCode: string): BillingException {
    return new BillingException(
      404,
      `Plan '${planCode}' not found.`,
      BillingErrorCode.PlanNotFound,
    );
  }

  static noActiveSubscription(tenantId: string): BillingException {
    return new BillingException(
      404,
      `Tenant '${tenantId}' does not have an active subscription.`,
      BillingErrorCode.SubscriptionNotFound,
    );
  }

  static missingProcessorId(): BillingException {
    return new BillingException(
      409,
      'Subscription is missing processor identifier.',
      BillingErrorCode.MissingProcessorId,
    );
  }

  static canceled(): BillingException {
    return new BillingException(
      409,
      'Subscription is canceled.',
      BillingErrorCode.SubscriptionCanceled,
    );
  }

  static priceMappingMissing(planCode: string): BillingException {
    return new BillingException(
      400,
      `No Stripe price configured for plan '${planCode}'.`,
      BillingErrorCode.PriceMappingMissing,
    );
  }
}
