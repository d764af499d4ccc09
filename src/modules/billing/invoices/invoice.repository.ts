import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { SubscriptionInvoiceEntity } from '../entities/subscription-invoice.entity';

export interface InvoiceWrite {
  subscriptionId: string;
  externalInvoiceId: string;
  periodStart: Date;
  periodEnd: Date;
  amountCents: number;
  currency: string;
  status: string;
  hostedInvoiceUrl: string | null;
  stripeEventCreatedAt: Date | null;
}

/** `subscription_invoices`: one row per (subscription, Stripe invoice). */
@Injectable()
export class InvoiceRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Inserts or updates the invoice unless the stored row came from a newer Stripe event
   * (an `invoice.finalized` delivered after `invoice.paid` must not reopen it). Returns whether
   * the row was written.
   */
  async upsertIfNewer(invoice: InvoiceWrite, manager: EntityManager): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO subscription_invoices AS i
         (subscription_id, external_invoice_id, period_start, period_end, amount_cents, currency,
          status, hosted_invoice_url, stripe_event_created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (subscription_id, external_invoice_id) DO UPDATE
         SET period_start = EXCLUDED.period_start,
             period_end = EXCLUDED.period_end,
             amount_cents = EXCLUDED.amount_cents,
             currency = EXCLUDED.currency,
             status = EXCLUDED.status,
             hosted_invoice_url = EXCLUDED.hosted_invoice_url,
             stripe_event_created_at = EXCLUDED.stripe_event_created_at
         WHERE i.stripe_event_created_at IS NULL
            OR EXCLUDED.stripe_event_created_at IS NULL
            OR i.stripe_event_created_at <= EXCLUDED.stripe_event_created_at
       RETURNING id`,
      [
        invoice.subscriptionId,
        invoice.externalInvoiceId,
        invoice.periodStart,
        invoice.periodEnd,
        invoice.amountCents,
        invoice.currency,
        invoice.status,
        invoice.hostedInvoiceUrl,
        invoice.stripeEventCreatedAt,
      ],
    );
    return rows.length > 0;
  }

  async listBySubscription(
    subscriptionId: string,
    limit: number,
  ): Promise<SubscriptionInvoiceEntity[]> {
    return this.dataSource.getRepository(SubscriptionInvoiceEntity).find({
      where: { subscriptionId },
      order: { periodStart: 'DESC', createdAt: 'DESC' },
      take: limit,
    });
  }
}
