import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import type { TestApp } from '../../support/test-app';
import { PRICE_MAP, WEBHOOK_SECRET } from '../billing/billing-kit';

const signer = new Stripe('sk_test_signer');

export interface StripeEventFixture {
  id: string;
  object: 'event';
  type: string;
  created: number;
  livemode: boolean;
  api_version: string;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function eventId(label = 'evt'): string {
  return `evt_${label}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
}

export function event(
  type: string,
  object: Record<string, unknown>,
  overrides: Partial<StripeEventFixture> = {},
): StripeEventFixture {
  return {
    id: eventId(),
    object: 'event',
    type,
    created: nowSeconds(),
    livemode: false,
    api_version: Stripe.API_VERSION,
    data: { object },
    ...overrides,
  };
}

/** A Stripe Subscription (API 2026: periods on the item). */
export function subscriptionObject(fields: {
  id?: string;
  customer?: string;
  status?: string;
  tenantId?: string | null;
  planCode?: string;
  priceId?: string;
  quantity?: number;
  cancelAtPeriodEnd?: boolean;
  periodStart?: number;
  trialEnd?: number | null;
}): Record<string, unknown> {
  const start = fields.periodStart ?? nowSeconds();
  const metadata: Record<string, string> = {};
  if (fields.tenantId) metadata.tenant_id = fields.tenantId;
  if (fields.planCode) metadata.plan_code = fields.planCode;
  return {
    id: fields.id ?? `sub_${randomUUID().slice(0, 12)}`,
    object: 'subscription',
    customer: fields.customer ?? `cus_${randomUUID().slice(0, 12)}`,
    status: fields.status ?? 'active',
    cancel_at_period_end: fields.cancelAtPeriodEnd ?? false,
    cancel_at: null,
    canceled_at: null,
    start_date: start,
    trial_end: fields.trialEnd ?? null,
    metadata,
    items: {
      object: 'list',
      data: [
        {
          id: `si_${randomUUID().slice(0, 12)}`,
          object: 'subscription_item',
          quantity: fields.quantity ?? 1,
          current_period_start: start,
          current_period_end: start + 30 * 86400,
          price: {
            id: fields.priceId ?? PRICE_MAP.starter,
            object: 'price',
            nickname: null,
            metadata: {},
            recurring: { interval: 'month', usage_type: 'licensed' },
          },
        },
      ],
    },
  };
}

/** A Stripe Invoice as real ones look: no tenant metadata, subscription under `parent`. */
export function invoiceObject(fields: {
  id?: string;
  customer: string;
  subscription: string;
  status?: string;
  amountDue?: number;
  tenantId?: string | null;
  meteredLines?: { id: string; feature: string; quantity: number; amount: number }[];
}): Record<string, unknown> {
  const start = nowSeconds() - 30 * 86400;
  const end = nowSeconds();
  return {
    id: fields.id ?? `in_${randomUUID().slice(0, 12)}`,
    object: 'invoice',
    customer: fields.customer,
    status: fields.status ?? 'paid',
    amount_due: fields.amountDue ?? 9900,
    total: fields.amountDue ?? 9900,
    currency: 'usd',
    description: null,
    billing_reason: 'subscription_cycle',
    collection_method: 'charge_automatically',
    hosted_invoice_url: 'https://invoice.stripe.com/i/acct_test/test_abc',
    period_start: start,
    period_end: end,
    metadata: fields.tenantId ? { tenant_id: fields.tenantId } : {},
    parent: {
      type: 'subscription_details',
      subscription_details: { subscription: fields.subscription, metadata: {} },
    },
    lines: {
      object: 'list',
      data: (fields.meteredLines ?? []).map((line) => ({
        id: line.id,
        object: 'line_item',
        amount: line.amount,
        quantity: line.quantity,
        description: `${line.quantity} × ${line.feature}`,
        metadata: { feature_key: line.feature },
        period: { start, end },
        price: {
          id: 'price_metered',
          nickname: line.feature,
          metadata: { feature_key: line.feature },
          recurring: { interval: 'month', usage_type: 'metered' },
        },
      })),
    },
  };
}

/** Signs with stripe-node and posts the exact same bytes. */
export function postEvent(
  t: TestApp,
  fixture: StripeEventFixture | Record<string, unknown>,
  options: { secret?: string; header?: string | null } = {},
) {
  const payload = JSON.stringify(fixture, null, 2);
  const header =
    options.header === undefined
      ? signer.webhooks.generateTestHeaderString({
          payload,
          secret: options.secret ?? WEBHOOK_SECRET,
        })
      : options.header;
  const request = t.http.post('/webhooks/stripe').set('Content-Type', 'application/json');
  if (header !== null) request.set('Stripe-Signature', header);
  return request.send(payload);
}

export interface StoredEvent {
  id: string;
  processing_outcome: string;
  tenant_hint: string | null;
  processing_error: string | null;
  stream_published_at: Date | null;
}

export interface StoredDispatch {
  id: string;
  handler: string;
  status: string;
  attempts: number;
  next_retry_at: Date | null;
  last_error: string | null;
}

export async function storedEvent(
  t: TestApp,
  stripeEventId: string,
): Promise<StoredEvent | undefined> {
  const rows: StoredEvent[] = await t.dataSource.query(
    'SELECT * FROM stripe_events WHERE stripe_event_id = $1',
    [stripeEventId],
  );
  return rows[0];
}

export async function dispatchesOf(t: TestApp, stripeEventId: string): Promise<StoredDispatch[]> {
  return t.dataSource.query(
    `SELECT d.* FROM stripe_event_dispatch d JOIN stripe_events e ON e.id = d.stripe_event_id
      WHERE e.stripe_event_id = $1 ORDER BY d.created_at`,
    [stripeEventId],
  );
}

/** Waits until the event's dispatch rows all reached one of `statuses`. */
export async function settled(
  t: TestApp,
  stripeEventId: string,
  statuses: string[] = ['completed'],
  timeoutMs = 10_000,
): Promise<StoredDispatch[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await dispatchesOf(t, stripeEventId);
    if (rows.length > 0 && rows.every((row) => statuses.includes(row.status))) return rows;
    if (Date.now() > deadline) {
      throw new Error(
        `dispatch of ${stripeEventId} not ${statuses.join('|')}: ${JSON.stringify(rows)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function subscriptionOf(
  t: TestApp,
  tenantId: string,
): Promise<Record<string, unknown> | undefined> {
  const rows: Record<string, unknown>[] = await t.dataSource.query(
    `SELECT s.*, p.code AS plan_code FROM tenant_subscriptions s
       JOIN billing_plans p ON p.id = s.plan_id WHERE s.tenant_id = $1`,
    [tenantId],
  );
  return rows[0];
}

/** An invoice event for a tenant without a subscription yet: its dispatch fails (replay tests). */
export async function failingInvoice(
  t: TestApp,
  tenantId: string,
  ids: { customer: string; subscription: string },
): Promise<{ fixture: StripeEventFixture; row: StoredDispatch }> {
  const fixture = event('invoice.paid', invoiceObject({ ...ids, tenantId }));
  await postEvent(t, fixture).expect(202);
  const [row] = await settled(t, fixture.id, ['failed']);
  return { fixture, row };
}

/** Starts the tenant's subscription through the API (after which its invoices apply). */
export async function startStarterSubscription(
  t: TestApp,
  owner: { tenantId: string; authorization: string },
): Promise<void> {
  await t.http
    .post(`/api/v1/billing/tenants/${owner.tenantId}/subscription`)
    .set('Authorization', owner.authorization)
    .send({ plan_code: 'starter' })
    .expect(201);
}
