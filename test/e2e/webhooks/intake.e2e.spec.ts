import Stripe from 'stripe';
import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import type { StripeFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';
import { BillingSyncHandler } from '../../../src/modules/webhooks/handlers/billing-sync.handler';
import {
  billingEnv,
  openSse,
  PRICE_MAP,
  startBillingStripeFake,
  waitFor,
  type SseClient,
} from '../billing/billing-kit';
import {
  dispatchesOf,
  event,
  invoiceObject,
  nowSeconds,
  postEvent,
  settled,
  storedEvent,
  subscriptionObject,
  subscriptionOf,
} from './webhook-kit';

describe('Stripe webhook intake and dispatch (decision B2)', () => {
  let stripe: StripeFake;
  let t: TestApp;
  let client: Stripe;
  const streams: SseClient[] = [];

  beforeAll(async () => {
    stripe = await startBillingStripeFake();
    t = await startTestApp({
      env: billingEnv(stripe, { STRIPE_WEBHOOK_SECRET_PREVIOUS: 'whsec_previous' }),
    });
    client = new Stripe('sk_test_x', { host: stripe.host, port: stripe.port, protocol: 'http' });
  });

  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
  });

  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  async function stream(user: TestUser): Promise<SseClient> {
    const sse = await openSse(`${t.url}/api/v1/billing/stream`, {
      Authorization: user.authorization,
    });
    streams.push(sse);
    return sse;
  }

  async function subscribedViaApi(plan = 'starter'): Promise<{
    owner: TestUser;
    subscriptionId: string;
    customerId: string;
  }> {
    const owner = await createTestUser(t, { role: 'owner' });
    await t.http
      .post(`/api/v1/billing/tenants/${owner.tenantId}/subscription`)
      .set('Authorization', owner.authorization)
      .send({ plan_code: plan })
      .expect(201);
    const row = await subscriptionOf(t, owner.tenantId);
    return {
      owner,
      subscriptionId: row?.processor_subscription_id as string,
      customerId: row?.processor_customer_id as string,
    };
  }

  it('rejects a bad or missing signature with 400 and stores nothing', async () => {
    const fixture = event('customer.subscription.updated', subscriptionObject({}));
    const bad = await postEvent(t, fixture, { secret: 'whsec_wrong' }).expect(400);
    expect(bad.body).toMatchObject({
      success: false,
      error: 'Signature verification failed.',
      code: 'invalid_signature',
    });
    const missing = await postEvent(t, fixture, { header: null }).expect(400);
    expect(missing.body.message).toBe('Missing Stripe signature header.');
    const expired = await postEvent(t, fixture, {
      header: new Stripe('sk_test_y').webhooks.generateTestHeaderString({
        payload: JSON.stringify(fixture, null, 2),
        secret: 'whsec_test',
        timestamp: nowSeconds() - 3600,
      }),
    }).expect(400);
    expect(expired.body.message).toBe('Signature verification failed.');
    expect(await storedEvent(t, fixture.id)).toBeUndefined();
  });

  it('answers a correctly signed body that is not JSON with the reference 400 "Invalid payload."', async () => {
    const payload = '{"id": "evt_broken", "type": ';
    const header = new Stripe('sk_test_y').webhooks.generateTestHeaderString({
      payload,
      secret: 'whsec_test',
    });
    const response = await t.http
      .post('/webhooks/stripe')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', header)
      .send(payload)
      .expect(400);
    expect(response.body).toMatchObject({
      success: false,
      error: 'Invalid payload.',
      message: 'Invalid payload.',
    });
  });

  it('accepts the previous secret during a rotation and refuses livemode events for a test key', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const rotated = event(
      'customer.subscription.created',
      subscriptionObject({ tenantId: owner.tenantId }),
    );
    await postEvent(t, rotated, { secret: 'whsec_previous' }).expect(202);
    await settled(t, rotated.id);

    const live = event('customer.subscription.updated', subscriptionObject({}), { livemode: true });
    const refused = await postEvent(t, live).expect(400);
    expect(refused.body.code).toBe('livemode_mismatch');
    expect(await storedEvent(t, live.id)).toBeUndefined();
  });

  it('syncs customer.subscription.created: 202, row written, dispatch completed, stream event', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const sse = await stream(owner);
    const subscription = subscriptionObject({
      tenantId: owner.tenantId,
      priceId: PRICE_MAP.pro,
      quantity: 2,
    });
    const fixture = event('customer.subscription.created', subscription);
    const response = await postEvent(t, fixture).expect(202);
    expect(response.body).toEqual({ success: true, duplicate: false });

    const [dispatch] = await settled(t, fixture.id);
    expect(dispatch).toMatchObject({ handler: 'billing_sync', status: 'completed', attempts: 1 });
    expect(await storedEvent(t, fixture.id)).toMatchObject({
      processing_outcome: 'processed',
      tenant_hint: owner.tenantId,
    });
    expect(await subscriptionOf(t, owner.tenantId)).toMatchObject({
      plan_code: 'pro',
      status: 'active',
      seat_count: 2,
      processor_subscription_id: subscription.id,
      processor_customer_id: subscription.customer,
    });
    const [frame] = await sse.waitForEvents(1);
    expect(frame).toMatchObject({
      tenant_id: owner.tenantId,
      event_type: 'customer.subscription.created',
      stripe_event_id: fixture.id,
      summary: 'Subscription active',
      status: 'active',
      subscription: { plan_code: 'pro', status: 'active', seat_count: 2, auto_renew: true },
      invoice: null,
      usage: [],
    });
    expect(frame.event_id).toMatch(/^\d+-\d+$/);
    await waitFor(async () => (await storedEvent(t, fixture.id))?.stream_published_at);
  });

  it('stores and dispatches the same event once when it is delivered twice', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const handler = t.app.get(BillingSyncHandler);
    const apply = jest.spyOn(handler, 'apply');
    try {
      const fixture = event(
        'customer.subscription.created',
        subscriptionObject({ tenantId: owner.tenantId }),
      );
      await postEvent(t, fixture).expect(202);
      await settled(t, fixture.id);
      const again = await postEvent(t, fixture).expect(202);
      expect(again.body).toEqual({ success: true, duplicate: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const rows: unknown[] = await t.dataSource.query(
        'SELECT id FROM stripe_events WHERE stripe_event_id = $1',
        [fixture.id],
      );
      expect(rows).toHaveLength(1);
      const dispatches = await dispatchesOf(t, fixture.id);
      expect(dispatches).toHaveLength(1);
      expect(dispatches[0].attempts).toBe(1);
      const calls = apply.mock.calls.filter(([, ctx]) => ctx.stripeEventId === fixture.id);
      expect(calls).toHaveLength(1);
    } finally {
      apply.mockRestore();
    }
  });

  it('resolves an invoice without tenant metadata through the subscription mapping', async () => {
    const { owner, subscriptionId, customerId } = await subscribedViaApi('pro');
    const sse = await stream(owner);
    const invoice = invoiceObject({
      customer: customerId,
      subscription: subscriptionId,
      meteredLines: [{ id: 'il_metered_1', feature: 'messages', quantity: 1200, amount: 4800 }],
    });
    const fixture = event('invoice.payment_succeeded', invoice);
    await postEvent(t, fixture).expect(202);
    await settled(t, fixture.id);
    expect(await storedEvent(t, fixture.id)).toMatchObject({
      processing_outcome: 'processed',
      tenant_hint: owner.tenantId,
    });
    const invoices: Record<string, unknown>[] = await t.dataSource.query(
      `SELECT i.* FROM subscription_invoices i JOIN tenant_subscriptions s ON s.id = i.subscription_id
        WHERE s.tenant_id = $1`,
      [owner.tenantId],
    );
    expect(invoices).toHaveLength(1);
    expect(invoices[0]).toMatchObject({
      external_invoice_id: invoice.id,
      status: 'paid',
      amount_cents: 9900,
      currency: 'USD',
    });
    const usage: Record<string, unknown>[] = await t.dataSource.query(
      `SELECT u.feature_key, u.quantity, u.external_event_id FROM subscription_usage u
        JOIN tenant_subscriptions s ON s.id = u.subscription_id WHERE s.tenant_id = $1`,
      [owner.tenantId],
    );
    expect(usage).toEqual([
      { feature_key: 'messages', quantity: 1200, external_event_id: 'il_metered_1' },
    ]);
    const [frame] = await sse.waitForEvents(1);
    expect(frame).toMatchObject({
      event_type: 'invoice.payment_succeeded',
      status: 'paid',
      summary: 'subscription_cycle',
      invoice: { invoice_id: invoice.id, amount_due_cents: 9900, currency: 'usd', status: 'paid' },
      usage: [{ feature_key: 'messages', quantity: 1200, amount_cents: 4800 }],
    });

    const viewer = await createTestUser(t, { role: 'viewer', tenantId: owner.tenantId });
    const listed = await t.http
      .get(`/api/v1/billing/tenants/${owner.tenantId}/invoices`)
      .set('Authorization', viewer.authorization)
      .expect(200);
    expect(listed.body).toEqual([
      expect.objectContaining({ invoice_id: invoice.id, status: 'paid', amount_cents: 9900 }),
    ]);
  });

  it('keeps the newer state when an older subscription update arrives late', async () => {
    const { owner, subscriptionId, customerId } = await subscribedViaApi();
    const created = nowSeconds();
    const newer = event(
      'customer.subscription.updated',
      subscriptionObject({
        id: subscriptionId,
        customer: customerId,
        status: 'past_due',
        tenantId: owner.tenantId,
      }),
      { created: created + 20 },
    );
    const older = event(
      'customer.subscription.updated',
      subscriptionObject({
        id: subscriptionId,
        customer: customerId,
        status: 'active',
        tenantId: owner.tenantId,
      }),
      { created: created + 10 },
    );
    await postEvent(t, newer).expect(202);
    await settled(t, newer.id);
    await postEvent(t, older).expect(202);
    await settled(t, older.id);
    expect(await subscriptionOf(t, owner.tenantId)).toMatchObject({
      status: 'past_due',
      processor_state_event_id: newer.id,
    });
    expect(await storedEvent(t, older.id)).toMatchObject({ processing_outcome: 'processed' });
    const metrics = await t.http.get('/metrics').expect(200);
    expect(metrics.text).toMatch(
      /stripe_webhook_events_total\{[^}]*event_type="customer.subscription.updated"[^}]*result="stale"[^}]*\} [1-9]/,
    );
  });

  it('settles two same-second events by fetching the subscription from Stripe', async () => {
    const { owner, subscriptionId, customerId } = await subscribedViaApi();
    const second = nowSeconds() + 5;
    const first = event(
      'customer.subscription.updated',
      subscriptionObject({
        id: subscriptionId,
        customer: customerId,
        status: 'past_due',
        tenantId: owner.tenantId,
      }),
      { created: second },
    );
    await postEvent(t, first).expect(202);
    await settled(t, first.id);
    stripe.updateSubscription(subscriptionId, { status: 'unpaid' });
    const tie = event(
      'customer.subscription.updated',
      subscriptionObject({
        id: subscriptionId,
        customer: customerId,
        status: 'active',
        tenantId: owner.tenantId,
      }),
      { created: second },
    );
    await postEvent(t, tie).expect(202);
    await settled(t, tie.id);
    expect(stripe.requestsTo('GET', `/v1/subscriptions/${subscriptionId}`)).toHaveLength(1);
    expect(await subscriptionOf(t, owner.tenantId)).toMatchObject({ status: 'unpaid' });
  });

  it('merges webhook state into the row instead of overwriting our fields', async () => {
    const { owner, subscriptionId, customerId } = await subscribedViaApi();
    await t.http
      .patch(`/api/v1/billing/tenants/${owner.tenantId}/subscription`)
      .set('Authorization', owner.authorization)
      .send({ billing_email: 'ours@example.com' })
      .expect(200);
    const before = await subscriptionOf(t, owner.tenantId);
    const update = event(
      'customer.subscription.updated',
      subscriptionObject({
        id: subscriptionId,
        customer: customerId,
        cancelAtPeriodEnd: true,
        tenantId: owner.tenantId,
      }),
      { created: nowSeconds() + 30 },
    );
    await postEvent(t, update).expect(202);
    await settled(t, update.id);
    const after = await subscriptionOf(t, owner.tenantId);
    expect(after).toMatchObject({ billing_email: 'ours@example.com', auto_renew: false });
    const metadata = after?.metadata_json as Record<string, string>;
    const earlier = before?.metadata_json as Record<string, string>;
    expect(metadata.stripe_subscription_item_id).toBeDefined();
    expect(metadata).toMatchObject({ stripe_price_id: PRICE_MAP.starter, stripe_status: 'active' });
    expect(earlier.stripe_price_id).toBe(PRICE_MAP.starter);
  });

  it('links the customer and syncs the subscription of a completed Checkout session', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const customer = await client.customers.create({ email: 'checkout@example.com' });
    const subscription = await client.subscriptions.create({
      customer: customer.id,
      items: [{ price: PRICE_MAP.pro }],
    });
    const fixture = event('checkout.session.completed', {
      id: 'cs_test_1',
      object: 'checkout.session',
      mode: 'subscription',
      status: 'complete',
      client_reference_id: owner.tenantId,
      customer: customer.id,
      subscription: subscription.id,
      metadata: {},
    });
    await postEvent(t, fixture).expect(202);
    const [dispatch] = await settled(t, fixture.id);
    expect(dispatch.handler).toBe('checkout_sync');
    expect(await subscriptionOf(t, owner.tenantId)).toMatchObject({
      plan_code: 'pro',
      processor_subscription_id: subscription.id,
      processor_customer_id: customer.id,
    });
    const mapping: unknown[] = await t.dataSource.query(
      'SELECT processor_customer_id FROM stripe_customers WHERE tenant_id = $1',
      [owner.tenantId],
    );
    expect(mapping).toEqual([{ processor_customer_id: customer.id }]);
    // Starting the same plan now is a 409: the tenant holds a live subscription, created
    // through Checkout (another plan would be a plan switch, docs/billing.md).
    await t.http
      .post(`/api/v1/billing/tenants/${owner.tenantId}/subscription`)
      .set('Authorization', owner.authorization)
      .send({ plan_code: 'pro' })
      .expect(409);
  });

  it('tells the tenant about an ending trial on the stream', async () => {
    const { owner, subscriptionId, customerId } = await subscribedViaApi();
    const sse = await stream(owner);
    const trialEnd = nowSeconds() + 3 * 86400;
    const fixture = event(
      'customer.subscription.trial_will_end',
      subscriptionObject({
        id: subscriptionId,
        customer: customerId,
        status: 'trialing',
        trialEnd,
        tenantId: owner.tenantId,
      }),
      { created: nowSeconds() + 40 },
    );
    await postEvent(t, fixture).expect(202);
    const [dispatch] = await settled(t, fixture.id);
    expect(dispatch.handler).toBe('trial_notice');
    const frames = await sse.waitForEvents(1);
    const frame = frames.find((f) => f.stripe_event_id === fixture.id);
    expect(frame).toMatchObject({
      status: 'trial_will_end',
      summary: `Trial ends on ${new Date(trialEnd * 1000).toISOString().slice(0, 10)}`,
      subscription: { status: 'trialing' },
    });
  });

  it('retires a deleted customer so the next start creates a new one', async () => {
    const { owner, customerId } = await subscribedViaApi();
    await t.http
      .post(`/api/v1/billing/tenants/${owner.tenantId}/subscription/cancel`)
      .set('Authorization', owner.authorization)
      .send({ cancel_at_period_end: false })
      .expect(200);
    const fixture = event('customer.deleted', {
      id: customerId,
      object: 'customer',
      metadata: { tenant_id: owner.tenantId },
    });
    await postEvent(t, fixture).expect(202);
    const [dispatch] = await settled(t, fixture.id);
    expect(dispatch.handler).toBe('customer_sync');
    await t.http
      .post(`/api/v1/billing/tenants/${owner.tenantId}/subscription`)
      .set('Authorization', owner.authorization)
      .send({ plan_code: 'starter' })
      .expect(201);
    const mapping: { processor_customer_id: string; generation: number }[] =
      await t.dataSource.query(
        'SELECT processor_customer_id, generation FROM stripe_customers WHERE tenant_id = $1',
        [owner.tenantId],
      );
    expect(mapping[0].generation).toBe(2);
    expect(mapping[0].processor_customer_id).not.toBe(customerId);
  });

  it.each([
    ['customer.subscription.created', 'billing_sync', 'active'],
    ['customer.subscription.updated', 'billing_sync', 'past_due'],
    ['customer.subscription.paused', 'billing_sync', 'paused'],
    ['customer.subscription.resumed', 'billing_sync', 'active'],
    ['customer.subscription.pending_update_applied', 'billing_sync', 'active'],
    ['customer.subscription.pending_update_expired', 'billing_sync', 'active'],
    ['customer.subscription.deleted', 'billing_sync', 'canceled'],
    ['customer.subscription.trial_will_end', 'trial_notice', 'trialing'],
  ])('dispatches %s through %s', async (type, handler, status) => {
    const { owner, subscriptionId, customerId } = await subscribedViaApi();
    const fixture = event(
      type,
      subscriptionObject({
        id: subscriptionId,
        customer: customerId,
        status,
        tenantId: owner.tenantId,
      }),
      { created: nowSeconds() + 60 },
    );
    await postEvent(t, fixture).expect(202);
    const [dispatch] = await settled(t, fixture.id);
    expect(dispatch.handler).toBe(handler);
    expect(await subscriptionOf(t, owner.tenantId)).toMatchObject({
      status,
      processor_state_event_id: fixture.id,
    });
  });

  it.each([
    'invoice.payment_succeeded',
    'invoice.payment_failed',
    'invoice.paid',
    'invoice.finalized',
    'invoice.payment_action_required',
    'invoice.voided',
    'invoice.marked_uncollectible',
  ])('dispatches %s through invoice_sync', async (type) => {
    const { owner, subscriptionId, customerId } = await subscribedViaApi();
    const invoice = invoiceObject({
      customer: customerId,
      subscription: subscriptionId,
      status: 'open',
    });
    const fixture = event(type, invoice);
    await postEvent(t, fixture).expect(202);
    const [dispatch] = await settled(t, fixture.id);
    expect(dispatch.handler).toBe('invoice_sync');
    const invoices: { external_invoice_id: string }[] = await t.dataSource.query(
      `SELECT i.external_invoice_id FROM subscription_invoices i
         JOIN tenant_subscriptions s ON s.id = i.subscription_id WHERE s.tenant_id = $1`,
      [owner.tenantId],
    );
    expect(invoices).toEqual([{ external_invoice_id: invoice.id }]);
  });

  it('never lets an older invoice event reopen a paid invoice', async () => {
    const { owner, subscriptionId, customerId } = await subscribedViaApi();
    const invoice = invoiceObject({ customer: customerId, subscription: subscriptionId });
    const created = nowSeconds();
    const paid = event('invoice.paid', { ...invoice, status: 'paid' }, { created: created + 10 });
    const finalized = event('invoice.finalized', { ...invoice, status: 'open' }, { created });
    await postEvent(t, paid).expect(202);
    await settled(t, paid.id);
    await postEvent(t, finalized).expect(202);
    await settled(t, finalized.id);
    const [row] = await t.dataSource.query<{ status: string }[]>(
      `SELECT i.status FROM subscription_invoices i
         JOIN tenant_subscriptions s ON s.id = i.subscription_id WHERE s.tenant_id = $1`,
      [owner.tenantId],
    );
    expect(row.status).toBe('paid');
  });

  it('stores unhandled types as processed and publishes them with the tenant hint', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const sse = await stream(owner);
    const fixture = event('charge.refunded', {
      id: 'ch_1',
      object: 'charge',
      status: 'succeeded',
      description: 'Refund issued',
      metadata: { tenant_id: owner.tenantId },
    });
    await postEvent(t, fixture).expect(202);
    expect(await storedEvent(t, fixture.id)).toMatchObject({ processing_outcome: 'processed' });
    expect(await dispatchesOf(t, fixture.id)).toEqual([]);
    const [frame] = await sse.waitForEvents(1);
    expect(frame).toMatchObject({
      event_type: 'charge.refunded',
      summary: 'Refund issued',
      status: 'succeeded',
    });
  });

  it('schedules a retry when a handler fails, and a redelivery resumes the unfinished event', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const invoice = invoiceObject({
      customer: 'cus_unknown',
      subscription: 'sub_unknown',
      tenantId: owner.tenantId,
    });
    const fixture = event('invoice.payment_failed', { ...invoice, status: 'open' });
    await postEvent(t, fixture).expect(202);
    const [failed] = await settled(t, fixture.id, ['failed']);
    expect(failed.attempts).toBe(1);
    expect(failed.last_error).toMatch(/has no subscription for invoice/);
    const delay = (new Date(failed.next_retry_at as Date).getTime() - Date.now()) / 1000;
    expect(delay).toBeGreaterThan(20);
    expect(delay).toBeLessThanOrEqual(30);
    expect(await storedEvent(t, fixture.id)).toMatchObject({ processing_outcome: 'failed' });

    await t.http
      .post(`/api/v1/billing/tenants/${owner.tenantId}/subscription`)
      .set('Authorization', owner.authorization)
      .send({ plan_code: 'starter' })
      .expect(201);
    const redelivered = await postEvent(t, fixture).expect(202);
    expect(redelivered.body).toEqual({ success: true, duplicate: true });
    const [done] = await settled(t, fixture.id);
    expect(done.attempts).toBe(2);
    expect(await storedEvent(t, fixture.id)).toMatchObject({ processing_outcome: 'processed' });
  });
});
