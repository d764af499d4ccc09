import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  InvoiceSyncService,
  readStripeInvoice,
  TenantResolver,
  type StripeInvoiceState,
} from '../../billing';
import {
  PermanentDispatchError,
  type HandlerResult,
  type StripeEventContext,
  type StripeEventHandler,
} from '../dispatch/event-handler';

interface PreparedInvoice {
  tenantId: string;
  invoice: StripeInvoiceState;
}

/**
 * `invoice_sync`: invoices and their metered lines mirrored locally. The tenant comes from invoice,
 * subscription-details or line metadata, else from our mapping of the invoice's subscription or
 * customer: real invoices carry no tenant metadata (decision B2).
 */
@Injectable()
export class InvoiceSyncHandler implements StripeEventHandler<PreparedInvoice> {
  readonly name = 'invoice_sync';
  readonly eventTypes = [
    'invoice.payment_succeeded',
    'invoice.payment_failed',
    'invoice.paid',
    'invoice.finalized',
    'invoice.payment_action_required',
    'invoice.voided',
    'invoice.marked_uncollectible',
  ] as const;

  constructor(
    private readonly resolver: TenantResolver,
    private readonly invoices: InvoiceSyncService,
  ) {}

  async prepare(event: StripeEventContext): Promise<PreparedInvoice> {
    const invoice = readStripeInvoice(event.object);
    if (!invoice) throw new PermanentDispatchError('Event carries no invoice object');
    const tenantId = await this.resolver.resolve({
      metadataTenant: invoice.metadataTenant ?? event.tenantHint,
      subscriptionId: invoice.subscriptionId,
      customerId: invoice.customerId,
    });
    if (!tenantId) {
      throw new Error(`Missing tenant_id in invoice metadata and no tenant maps to ${invoice.id}`);
    }
    return { tenantId, invoice };
  }

  async apply(
    manager: EntityManager,
    event: StripeEventContext,
    prepared: PreparedInvoice,
  ): Promise<HandlerResult> {
    const result = await this.invoices.apply(manager, {
      tenantId: prepared.tenantId,
      invoice: prepared.invoice,
      eventCreatedAt: event.created,
    });
    if (!result.written) return { outcome: 'stale', tenantId: prepared.tenantId, broadcast: null };
    const { invoice } = prepared;
    return {
      outcome: 'applied',
      tenantId: prepared.tenantId,
      broadcast: {
        summary: invoice.description ?? invoice.billingReason ?? `Invoice ${invoice.status}`,
        status: invoice.status,
        invoice: result.invoice,
        usage: result.usage,
      },
    };
  }
}
