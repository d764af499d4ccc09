import { Injectable } from '@nestjs/common';
import { isoZ } from '../../../platform/time/iso';
import type { SubscriptionInvoiceResponse } from '../dto/subscription-invoice-response.dto';
import { SubscriptionService } from '../subscriptions/subscription.service';
import { InvoiceRepository } from './invoice.repository';

const MAX_INVOICES = 100;

/** Invoices mirrored from Stripe webhooks, newest period first. */
@Injectable()
export class InvoiceService {
  constructor(
    private readonly subscriptions: SubscriptionService,
    private readonly invoices: InvoiceRepository,
  ) {}

  async list(tenantId: string): Promise<SubscriptionInvoiceResponse[]> {
    const row = await this.subscriptions.requireRow(tenantId);
    const invoices = await this.invoices.listBySubscription(row.id, MAX_INVOICES);
    return invoices.map((invoice) => ({
      invoice_id: invoice.externalInvoiceId,
      status: invoice.status,
      amount_cents: invoice.amountCents,
      currency: invoice.currency,
      period_start: isoZ(invoice.periodStart),
      period_end: isoZ(invoice.periodEnd),
      hosted_invoice_url: invoice.hostedInvoiceUrl,
    }));
  }
}
