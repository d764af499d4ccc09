import Stripe from 'stripe';
import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import type { StripeFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';
import { billingEnv, PRICE_MAP, startBillingStripeFake } from './billing-kit';

interface SubscriptionRow {
  status: string;
  auto_renew: boolean;
  seat_count: number | null;
  billing_email: string | null;
  processor_customer_id: string | null;
  processor_subscription_id: string | null;
  cancel_at: Date | null;
  plan_code: string;
  metadata_json: Record<string, string>;
}

describe('billing subscriptions over HTTP with the Stripe fake (decision B1)', () => {
  let stripe: StripeFake;
  let t: TestApp;

  beforeAll(async () => {
    stripe = await startBillingStripeFake();
    t = await startTestApp({ env: billingEnv(stripe) });
  });

  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  async function subscriptionRow(tenantId: string): Promise<SubscriptionRow | undefined> {
    const rows: SubscriptionRow[] = await t.dataSource.query(
      `SELECT s.*, p.code AS plan_code FROM tenant_subscriptions s
       JOIN billing_plans p ON p.id = s.plan_id WHERE s.tenant_id = $1`,
      [tenantId],
    );
    return rows[0];
  }

  function start(user: TestUser, body: Record<string, unknown>) {
    return t.http
      .post(`/api/v1/billing/tenants/${user.tenantId}/subscription`)
      .set('Authorization', user.authorization)
      .send(body);
  }

  function stripeCallsFor(tenantId: string) {
    return stripe.requests.filter(
      (r) =>
        r.method === 'POST' &&
        (r.path === '/v1/customers' || r.path === '/v1/subscriptions') &&
        JSON.stringify(r.params).includes(tenantId),
    );
  }

  it('lists the seeded plans publicly with the reference shape', async () => {
    const response = await t.http.get('/api/v1/billing/plans').expect(200);
    const codes = (response.body as { code: string }[]).map((plan) => plan.code);
    expect(codes).toEqual(expect.arrayContaining(['starter', 'pro']));
    const pro = (response.body as Record<string, unknown>[]).find((plan) => plan.code === 'pro');
    expect(pro).toEqual({
      code: 'pro',
      name: 'Pro',
      interval: 'monthly',
      interval_count: 1,
      price_cents: 9900,
      currency: 'USD',
      trial_days: 14,
      seat_included: 5,
      feature_toggles: { enable_web_search: true },
      is_active: true,
      // The chat-token quota (migrations/1764100800000-billing-plan-quotas.ts), read by entitlements.
      features: [
        {
          key: 'chat_tokens',
          display_name: 'Chat tokens',
          description: 'Chat tokens (input + output) per billing period',
          hard_limit: 5000000,
          soft_limit: null,
          is_metered: true,
        },
      ],
    });
    expect(Object.keys(pro as object)).toEqual([
      'code',
      'name',
      'interval',
      'interval_count',
      'price_cents',
      'currency',
      'trial_days',
      'seat_included',
      'feature_toggles',
      'is_active',
      'features',
    ]);
  });

  it('starts a subscription: one customer, one subscription, idempotency keys, Stripe status stored', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const response = await start(owner, {
      plan_code: 'pro',
      billing_email: 'billing@example.com',
      seat_count: 3,
    }).expect(201);

    expect(response.body).toMatchObject({
      tenant_id: owner.tenantId,
      plan_code: 'pro',
      status: 'active',
      auto_renew: true,
      billing_email: 'billing@example.com',
      seat_count: 3,
      cancel_at: null,
      trial_ends_at: null,
    });
    expect(response.body.starts_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$/);
    expect(response.body.metadata.stripe_price_id).toBe(PRICE_MAP.pro);
    expect(response.body.metadata.stripe_subscription_item_id).toMatch(/^si_/);

    const calls = stripeCallsFor(owner.tenantId);
    expect(calls.map((c) => c.path)).toEqual(['/v1/customers', '/v1/subscriptions']);
    for (const call of calls) {
      expect(call.idempotencyKey).toMatch(/^aa:/);
      expect(call.stripeVersion).toBe(Stripe.API_VERSION);
    }
    const [customerCall, subscriptionCall] = calls;
    expect(customerCall.params).toMatchObject({
      email: 'billing@example.com',
      metadata: { tenant_id: owner.tenantId },
    });
    expect(subscriptionCall.params).toMatchObject({
      items: [{ price: PRICE_MAP.pro, quantity: '3' }],
      metadata: { tenant_id: owner.tenantId, plan_code: 'pro' },
    });

    const row = await subscriptionRow(owner.tenantId);
    const stripeSubscription = stripe
      .subscriptions()
      .find((s) => s.metadata.tenant_id === owner.tenantId);
    expect(stripeSubscription).toBeDefined();
    expect(row).toMatchObject({
      status: stripeSubscription?.status,
      plan_code: 'pro',
      processor_subscription_id: stripeSubscription?.id,
      processor_customer_id: stripeSubscription?.customer,
      seat_count: 3,
    });
    const mapping: { processor_customer_id: string }[] = await t.dataSource.query(
      'SELECT processor_customer_id FROM stripe_customers WHERE tenant_id = $1',
      [owner.tenantId],
    );
    expect(mapping).toEqual([{ processor_customer_id: stripeSubscription?.customer }]);
  });

  it('answers a second start for the same plan with 409 and calls Stripe no more', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    await start(owner, { plan_code: 'starter' }).expect(201);
    const before = stripeCallsFor(owner.tenantId).length;
    const second = await start(owner, { plan_code: 'starter', seat_count: 2 }).expect(409);
    expect(second.body).toMatchObject({
      success: false,
      error: 'Tenant already has an active subscription.',
      code: 'subscription_exists',
    });
    expect(stripeCallsFor(owner.tenantId)).toHaveLength(before);
    expect(
      stripe.subscriptions().filter((s) => s.metadata.tenant_id === owner.tenantId),
    ).toHaveLength(1);
  });

  it('switches plan when a start names another plan: the PATCH plan change, answered like a start', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const first = await start(owner, { plan_code: 'starter', seat_count: 2 }).expect(201);
    const switched = await start(owner, { plan_code: 'pro' }).expect(201);
    expect(Object.keys(switched.body)).toEqual(Object.keys(first.body));
    expect(switched.body).toMatchObject({
      tenant_id: owner.tenantId,
      plan_code: 'pro',
      status: 'active',
      seat_count: 2,
      auto_renew: true,
    });
    expect(switched.body.metadata.stripe_price_id).toBe(PRICE_MAP.pro);
    const subscriptions = stripe
      .subscriptions()
      .filter((s) => s.metadata.tenant_id === owner.tenantId);
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0].items.data[0]).toMatchObject({
      quantity: 2,
      price: { id: PRICE_MAP.pro },
    });
    expect(
      stripe
        .requestsTo('POST', '/v1/subscriptions')
        .filter((r) => JSON.stringify(r.params).includes(owner.tenantId)),
    ).toHaveLength(1);
    const modify = stripe.requestsTo('POST', `/v1/subscriptions/${subscriptions[0].id}`);
    expect(modify).toHaveLength(1);
    expect(modify[0].params).toMatchObject({
      proration_behavior: 'create_prorations',
      items: [{ id: subscriptions[0].items.data[0].id, price: PRICE_MAP.pro }],
      metadata: { plan_code: 'pro' },
    });
    expect(modify[0].idempotencyKey).toMatch(/^aa:subscription:update:/);
    expect(await subscriptionRow(owner.tenantId)).toMatchObject({
      plan_code: 'pro',
      processor_subscription_id: subscriptions[0].id,
      seat_count: 2,
    });
    // Seats named by the start go along with the switch; the same plan again is still a 409.
    const back = await start(owner, { plan_code: 'starter', seat_count: 4 }).expect(201);
    expect(back.body).toMatchObject({ plan_code: 'starter', seat_count: 4 });
    await start(owner, { plan_code: 'starter' }).expect(409);
  });

  it('reuses the tenant customer when a canceled tenant subscribes again', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    await start(owner, { plan_code: 'starter' }).expect(201);
    await t.http
      .post(`/api/v1/billing/tenants/${owner.tenantId}/subscription/cancel`)
      .set('Authorization', owner.authorization)
      .send({ cancel_at_period_end: false })
      .expect(200);
    await start(owner, { plan_code: 'pro' }).expect(201);
    const customers = stripe.customers().filter((c) => c.metadata.tenant_id === owner.tenantId);
    expect(customers).toHaveLength(1);
    const subscriptions = stripe
      .subscriptions()
      .filter((s) => s.metadata.tenant_id === owner.tenantId);
    expect(subscriptions.map((s) => s.customer)).toEqual([customers[0].id, customers[0].id]);
    expect(await subscriptionRow(owner.tenantId)).toMatchObject({
      status: 'active',
      plan_code: 'pro',
    });
  });

  it('refuses viewers and foreign tenants with 403 before touching Stripe', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const viewer = await createTestUser(t, { role: 'viewer', tenantId: owner.tenantId });
    const stranger = await createTestUser(t, { role: 'owner' });
    const asViewer = await start(viewer, { plan_code: 'starter' }).expect(403);
    expect(asViewer.body.message).toBe('Insufficient tenant privileges for this operation.');
    const foreign = await t.http
      .post(`/api/v1/billing/tenants/${owner.tenantId}/subscription`)
      .set('Authorization', stranger.authorization)
      .send({ plan_code: 'starter' })
      .expect(403);
    expect(foreign.body.message).toBe('Tenant mismatch between request and credentials.');
    await t.http
      .get(`/api/v1/billing/tenants/${owner.tenantId}/subscription`)
      .set('Authorization', stranger.authorization)
      .expect(403);
    expect(stripeCallsFor(owner.tenantId)).toHaveLength(0);
    expect(await subscriptionRow(owner.tenantId)).toBeUndefined();
  });

  it('lets a viewer read the subscription and 404s when there is none', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const viewer = await createTestUser(t, { role: 'viewer', tenantId: owner.tenantId });
    const missing = await t.http
      .get(`/api/v1/billing/tenants/${owner.tenantId}/subscription`)
      .set('Authorization', viewer.authorization)
      .expect(404);
    expect(missing.body.message).toBe('Subscription not found.');
    await start(owner, { plan_code: 'starter' }).expect(201);
    const found = await t.http
      .get(`/api/v1/billing/tenants/${owner.tenantId}/subscription`)
      .set('Authorization', viewer.authorization)
      .expect(200);
    expect(found.body).toMatchObject({ tenant_id: owner.tenantId, plan_code: 'starter' });
  });

  it('validates bodies with 422 and unknown plans with 404 before Stripe', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const invalid = await start(owner, { plan_code: 'starter', seat_count: 0 }).expect(422);
    expect(invalid.body.error).toBe('ValidationError');
    await start(owner, { plan_code: 'starter', billing_email: 'not-an-email' }).expect(422);
    const unknown = await start(owner, { plan_code: 'enterprise' }).expect(404);
    expect(unknown.body.message).toBe("Plan 'enterprise' not found.");
    expect(stripeCallsFor(owner.tenantId)).toHaveLength(0);
  });

  it('updates auto-renew, seats, email and plan in Stripe and locally (PATCH)', async () => {
    const owner = await createTestUser(t, { role: 'admin' });
    await start(owner, { plan_code: 'starter' }).expect(201);
    const response = await t.http
      .patch(`/api/v1/billing/tenants/${owner.tenantId}/subscription`)
      .set('Authorization', owner.authorization)
      .send({
        auto_renew: false,
        seat_count: 4,
        billing_email: 'new@example.com',
        plan_code: 'pro',
      })
      .expect(200);
    expect(response.body).toMatchObject({
      plan_code: 'pro',
      auto_renew: false,
      seat_count: 4,
      billing_email: 'new@example.com',
    });
    expect(response.body.cancel_at).not.toBeNull();
    const row = await subscriptionRow(owner.tenantId);
    const sub = stripe.getSubscription(row?.processor_subscription_id ?? '');
    expect(sub?.cancel_at_period_end).toBe(true);
    expect(sub?.items.data[0]).toMatchObject({ quantity: 4, price: { id: PRICE_MAP.pro } });
    expect(stripe.getCustomer(row?.processor_customer_id ?? '')?.email).toBe('new@example.com');
    const modify = stripe.requestsTo('POST', `/v1/subscriptions/${sub?.id}`);
    expect(modify).toHaveLength(1);
    expect(modify[0].params).toMatchObject({ proration_behavior: 'create_prorations' });
    expect(modify[0].idempotencyKey).toMatch(/^aa:subscription:update:/);
    expect(row).toMatchObject({ plan_code: 'pro', auto_renew: false, seat_count: 4 });

    const empty = await t.http
      .patch(`/api/v1/billing/tenants/${owner.tenantId}/subscription`)
      .set('Authorization', owner.authorization)
      .send({})
      .expect(400);
    expect(empty.body.message).toBe('No subscription fields provided for update.');
  });

  it('cancels at period end, then immediately', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    await start(owner, { plan_code: 'starter' }).expect(201);
    const atEnd = await t.http
      .post(`/api/v1/billing/tenants/${owner.tenantId}/subscription/cancel`)
      .set('Authorization', owner.authorization)
      .send({})
      .expect(200);
    expect(atEnd.body).toMatchObject({ status: 'active', auto_renew: false });
    expect(atEnd.body.cancel_at).toBe(atEnd.body.current_period_end);

    const now = await t.http
      .post(`/api/v1/billing/tenants/${owner.tenantId}/subscription/cancel`)
      .set('Authorization', owner.authorization)
      .send({ cancel_at_period_end: false })
      .expect(200);
    expect(now.body.status).toBe('canceled');
    const row = await subscriptionRow(owner.tenantId);
    expect(row?.status).toBe('canceled');
    expect(stripe.getSubscription(row?.processor_subscription_id ?? '')?.status).toBe('canceled');

    const again = await t.http
      .post(`/api/v1/billing/tenants/${owner.tenantId}/subscription/cancel`)
      .set('Authorization', owner.authorization)
      .send({})
      .expect(409);
    expect(again.body.code).toBe('subscription_canceled');
    await t.http
      .post(`/api/v1/billing/tenants/${owner.tenantId}/subscription/cancel`)
      .set('Authorization', owner.authorization)
      .expect(422);
  });

  it('retries a Stripe 500 with the same idempotency key and succeeds', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    stripe.failNext(
      1,
      { status: 500, type: 'api_error' },
      { method: 'POST', path: '/v1/subscriptions' },
    );
    await start(owner, { plan_code: 'starter' }).expect(201);
    const attempts = stripeCallsFor(owner.tenantId).filter((c) => c.path === '/v1/subscriptions');
    expect(attempts.map((a) => a.status)).toEqual([500, 200]);
    expect(attempts[0].idempotencyKey).toBe(attempts[1].idempotencyKey);
    expect(await subscriptionRow(owner.tenantId)).toMatchObject({ status: 'active' });
    const metrics = await t.http.get('/metrics').expect(200);
    expect(metrics.text).toMatch(
      /stripe_api_requests_total\{[^}]*operation="subscription.create"[^}]*result="api_error"[^}]*\} [1-9]/,
    );
  });

  it('turns a Stripe 400 into a 400 envelope and writes no subscription', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    stripe.failNext(
      1,
      {
        status: 400,
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: 'No such price',
      },
      { method: 'POST', path: '/v1/subscriptions' },
    );
    const response = await start(owner, { plan_code: 'starter' }).expect(400);
    expect(response.body).toMatchObject({
      success: false,
      error: 'Stripe error during start_subscription: No such price',
      code: 'stripe_request_rejected',
    });
    const attempts = stripeCallsFor(owner.tenantId).filter((c) => c.path === '/v1/subscriptions');
    expect(attempts).toHaveLength(1);
    expect(await subscriptionRow(owner.tenantId)).toBeUndefined();
    // The customer is real in Stripe and recorded for reuse; the subscription was never created.
    await start(owner, { plan_code: 'starter' }).expect(201);
    expect(stripe.customers().filter((c) => c.metadata.tenant_id === owner.tenantId)).toHaveLength(
      1,
    );
  });

  it('answers 502 when Stripe keeps failing, with nothing written', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    stripe.failNext(
      3,
      { status: 503, type: 'api_error' },
      { method: 'POST', path: '/v1/subscriptions' },
    );
    const response = await start(owner, { plan_code: 'starter' }).expect(502);
    expect(response.body.code).toBe('payment_provider_unavailable');
    expect(response.body.message).toMatch(/^Stripe error during start_subscription: /);
    expect(await subscriptionRow(owner.tenantId)).toBeUndefined();
  });
});
