import {
  isTerminalStatus,
  readStripeSubscription,
} from '../../../src/modules/billing/gateway/stripe-objects';
import { readStripeInvoice } from '../../../src/modules/billing/sync/stripe-invoice';

const TENANT = '11111111-2222-3333-4444-555555555555';

describe('readStripeSubscription', () => {
  it('reads a current-API subscription (periods on the item, expanded customer)', () => {
    const state = readStripeSubscription({
      id: 'sub_123',
      customer: { id: 'cus_9', object: 'customer' },
      status: 'trialing',
      cancel_at_period_end: true,
      cancel_at: 1764724400,
      start_date: 1762132400,
      trial_end: 1763000000,
      metadata: { tenant_id: TENANT, plan_code: 'pro', number: 5 },
      items: {
        data: [
          {
            id: 'si_1',
            quantity: 3,
            current_period_start: 1762132400,
            current_period_end: 1764724400,
            price: { id: 'price_pro', nickname: 'Pro', metadata: {} },
          },
        ],
      },
    });
    expect(state).toEqual({
      id: 'sub_123',
      customerId: 'cus_9',
      status: 'trialing',
      cancelAtPeriodEnd: true,
      cancelAt: new Date(1764724400 * 1000),
      canceledAt: null,
      startDate: new Date(1762132400 * 1000),
      currentPeriodStart: new Date(1762132400 * 1000),
      currentPeriodEnd: new Date(1764724400 * 1000),
      trialEnd: new Date(1763000000 * 1000),
      itemId: 'si_1',
      quantity: 3,
      priceId: 'price_pro',
      price: { id: 'price_pro', nickname: 'Pro', metadata: {} },
      metadata: { tenant_id: TENANT, plan_code: 'pro' },
    });
  });

  it('falls back to pre-basil fields (top-level periods, plan, quantity, metadata customer)', () => {
    const state = readStripeSubscription({
      id: 'sub_old',
      current_period_start: 100,
      current_period_end: 200,
      quantity: 4,
      metadata: { customer_id: 'cus_meta' },
      items: { data: [{ id: 'si_old', plan: { id: 'plan_starter' } }] },
    });
    expect(state).toMatchObject({
      customerId: 'cus_meta',
      status: 'unknown',
      currentPeriodStart: new Date(100_000),
      currentPeriodEnd: new Date(200_000),
      quantity: 4,
      priceId: 'plan_starter',
      cancelAtPeriodEnd: false,
    });
  });

  it('returns null for anything without an id', () => {
    expect(readStripeSubscription({ object: 'subscription' })).toBeNull();
    expect(readStripeSubscription('sub_1')).toBeNull();
    expect(readStripeSubscription(null)).toBeNull();
  });

  it('knows which statuses never bill again', () => {
    expect(isTerminalStatus('canceled')).toBe(true);
    expect(isTerminalStatus('incomplete_expired')).toBe(true);
    expect(isTerminalStatus('past_due')).toBe(false);
  });
});

describe('readStripeInvoice', () => {
  /** The reference fixture `invoice.payment_succeeded.json`. */
  const referenceInvoice = {
    id: 'in_paid',
    status: 'paid',
    amount_due: 9900,
    currency: 'usd',
    description: 'Starter plan invoice',
    billing_reason: 'subscription_cycle',
    collection_method: 'charge_automatically',
    metadata: { tenant_id: TENANT },
    hosted_invoice_url: 'https://example.com/invoices/in_paid',
    period_start: 1762132400,
    period_end: 1764724400,
    lines: {
      data: [
        {
          id: 'il_metered',
          quantity: 1200,
          amount: 4800,
          metadata: { feature_key: 'messages' },
          period: { start: 1762132400, end: 1764724400 },
          price: {
            nickname: 'Messages',
            recurring: { usage_type: 'metered' },
            metadata: { feature_key: 'messages' },
          },
        },
        {
          id: 'il_licensed',
          quantity: 1,
          amount: 9900,
          price: { recurring: { usage_type: 'licensed' } },
        },
      ],
    },
  };

  it('reads the reference fixture with its metered line', () => {
    expect(readStripeInvoice(referenceInvoice)).toEqual({
      id: 'in_paid',
      status: 'paid',
      amountDueCents: 9900,
      currency: 'usd',
      periodStart: new Date(1762132400 * 1000),
      periodEnd: new Date(1764724400 * 1000),
      hostedInvoiceUrl: 'https://example.com/invoices/in_paid',
      billingReason: 'subscription_cycle',
      collectionMethod: 'charge_automatically',
      description: 'Starter plan invoice',
      customerId: null,
      subscriptionId: null,
      metadataTenant: TENANT,
      lines: [
        {
          key: 'il_metered',
          featureKey: 'messages',
          quantity: 1200,
          periodStart: new Date(1762132400 * 1000),
          periodEnd: new Date(1764724400 * 1000),
          amountCents: 4800,
        },
      ],
    });
  });

  it('finds the subscription and tenant of a real invoice under parent.subscription_details', () => {
    const invoice = readStripeInvoice({
      id: 'in_1',
      customer: 'cus_1',
      amount_due: 0,
      total: 500,
      parent: { subscription_details: { subscription: 'sub_1', metadata: { tenant_id: TENANT } } },
    });
    expect(invoice).toMatchObject({
      customerId: 'cus_1',
      subscriptionId: 'sub_1',
      metadataTenant: TENANT,
      amountDueCents: 500,
      currency: 'usd',
      status: 'unknown',
      hostedInvoiceUrl: null,
    });
  });

  it('reads older invoices (top-level subscription, invoice_pdf, line metadata tenant)', () => {
    const invoice = readStripeInvoice({
      id: 'in_2',
      subscription: { id: 'sub_2' },
      invoice_pdf: 'https://example.com/in_2.pdf',
      lines: { data: [{ id: 'il_2', metadata: { tenant_id: TENANT } }] },
    });
    expect(invoice).toMatchObject({
      subscriptionId: 'sub_2',
      hostedInvoiceUrl: 'https://example.com/in_2.pdf',
      metadataTenant: TENANT,
      lines: [],
      periodStart: null,
    });
  });
});
