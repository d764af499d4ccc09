import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { isoOffsetOrNull } from '../../../platform/time/iso';
import type { TenantSubscriptionEntity } from '../entities/tenant-subscription.entity';
import { InvoiceRepository } from '../invoices/invoice.repository';
import type { InvoiceStreamView, UsageStreamView } from '../stream/billing-event-payload';
import { SubscriptionRepository } from '../subscriptions/subscription.repository';
import { UsageRepository } from '../usage/usage.repository';
import type { StripeInvoiceState } from './stripe-invoice';

export interface InvoiceSyncInput {
  tenantId: string;
  invoice: StripeInvoiceState;
  eventCreatedAt: Date | null;
}

export interface InvoiceSyncResult {
  subscription: TenantSubscriptionEntity;
  /** False when a newer event already set this invoice (the older one changed nothing). */
  written: boolean;
  invoice: InvoiceStreamView;
  usage: UsageStreamView[];
}

/** The tenant has no subscription row yet (its subscription event may still be on its way). */
export class MissingSubscriptionError extends Error {
  constructor(tenantId: string, invoiceId: string) {
    super(`Tenant ${tenantId} has no subscription for invoice ${invoiceId}`);
    this.name = 'MissingSubscriptionError';
  }
}

/**
 * Mirrors a Stripe invoice and its metered lines: one invoice row per (subscription, Stripe
 * invoice), never regressed by an older event, plus one ledger row per metered line keyed by the
 * line id.
 */
@Injectable()
export class InvoiceSyncService {
  constructor(
    private readonly subscriptions: SubscriptionRepository,
    private readonly invoices: InvoiceRepository,
    private readonly usage: UsageRepository,
  ) {}

  async apply(manager: EntityManager, input: InvoiceSyncInput): Promise<InvoiceSyncResult> {
    const { invoice } = input;
    const subscription = await this.subscriptions.findByTenant(input.tenantId, manager);
    if (!subscription) throw new MissingSubscriptionError(input.tenantId, invoice.id);
    const periodStart = invoice.periodStart ?? new Date();
    const periodEnd = invoice.periodEnd ?? periodStart;
    const url = invoice.hostedInvoiceUrl;
    const written = await this.invoices.upsertIfNewer(
      {
        subscriptionId: subscription.id,
        externalInvoiceId: invoice.id.slice(0, 128),
        periodStart,
        periodEnd,
        amountCents: invoice.amountDueCents,
        currency: invoice.currency.toUpperCase().slice(0, 3),
        status: invoice.status.slice(0, 16),
        hostedInvoiceUrl: url && url.length <= 1024 ? url : null,
        stripeEventCreatedAt: input.eventCreatedAt,
      },
      manager,
    );
    for (const line of invoice.lines) {
      await this.usage.insertIgnoringDuplicate(
        {
          subscriptionId: subscription.id,
          featureKey: line.featureKey,
          quantity: line.quantity,
          periodStart: line.periodStart ?? periodStart,
          periodEnd: line.periodEnd ?? periodEnd,
          externalEventId: line.key,
        },
        manager,
      );
    }
    return {
      subscription,
      written,
      invoice: {
        invoice_id: invoice.id,
        status: invoice.status,
        amount_due_cents: invoice.amountDueCents,
        currency: invoice.currency,
        billing_reason: invoice.billingReason,
        hosted_invoice_url: invoice.hostedInvoiceUrl,
        collection_method: invoice.collectionMethod,
        period_start: isoOffsetOrNull(invoice.periodStart),
        period_end: isoOffsetOrNull(invoice.periodEnd),
      },
      usage: invoice.lines.map((line) => ({
        feature_key: line.featureKey,
        quantity: line.quantity,
        period_start: isoOffsetOrNull(line.periodStart),
        period_end: isoOffsetOrNull(line.periodEnd),
        amount_cents: line.amountCents,
      })),
    };
  }
}
