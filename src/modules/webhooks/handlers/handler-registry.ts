import { Injectable } from '@nestjs/common';
import type { StripeEventHandler } from '../dispatch/event-handler';
import { BillingSyncHandler } from './billing-sync.handler';
import { CheckoutSessionHandler } from './checkout-session.handler';
import { CustomerDeletedHandler } from './customer-deleted.handler';
import { InvoiceSyncHandler } from './invoice-sync.handler';
import { TrialWillEndHandler } from './trial-will-end.handler';

/** Event type -> handler: the reference's handlers plus our added lifecycle events. */
@Injectable()
export class HandlerRegistry {
  private readonly byType = new Map<string, StripeEventHandler>();
  private readonly byName = new Map<string, StripeEventHandler>();

  constructor(
    billing: BillingSyncHandler,
    invoices: InvoiceSyncHandler,
    checkout: CheckoutSessionHandler,
    trial: TrialWillEndHandler,
    customers: CustomerDeletedHandler,
  ) {
    const handlers: StripeEventHandler[] = [billing, invoices, checkout, trial, customers];
    for (const handler of handlers) {
      this.byName.set(handler.name, handler);
      for (const type of handler.eventTypes) this.byType.set(type, handler);
    }
  }

  forType(eventType: string): StripeEventHandler | undefined {
    return this.byType.get(eventType);
  }

  forName(name: string): StripeEventHandler | undefined {
    return this.byName.get(name);
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }
}
