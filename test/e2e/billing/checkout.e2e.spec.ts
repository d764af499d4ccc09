import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import type { StripeFake, StripeFakeEvent } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';
import { postEvent, settled, subscriptionOf } from '../webhooks/webhook-kit';
import { billingEnv, PRICE_MAP, startBillingStripeFake } from './billing-kit';

const APP = 'https://app.example.com';
const URLS = {
  success_url: `${APP}/billing/done?session_id={CHECKOUT_SESSION_ID}`,
  cancel_url: `${APP}/billing`,
};

describe('Stripe Checkout and Customer Portal sessions (docs/billing.md)', () => {
  let stripe: StripeFake;
  let t: TestApp;
  let trialDays: Record<string, number | null>;

  beforeAll(async () => {
    stripe = await startBillingStripeFake();
    t = await startTestApp({
      env: billingEnv(stripe, {
        BILLING_REDIRECT_ALLOWED_ORIGINS: `${APP}, https://admin.example.com`,
      }),
    });
    const plans = (await t.http.get('/api/v1/billing/plans').expect(200)).body as {
      code: string;
      trial_days: number | null;
    }[];
    trialDays = Object.fromEntries(plans.map((plan) => [plan.code, plan.trial_days]));
  });

  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  const base = (tenantId: string) => `/api/v1/billing/tenants/${tenantId}`;

  function checkout(user: TestUser, body: Record<string, unknown>, key?: string) {
    const request = t.http
      .post(`${base(user.tenantId)}/checkout-sessions`)
      .set('Authorization', user.authorization);
    if (key !== undefined) request.set('Idempotency-Key', key);
    return request.send(body);
  }

  function portal(user: TestUser, body: Record<string, unknown>, key?: string) {
    const request = t.http
      .post(`${base(user.tenantId)}/portal-sessions`)
      .set('Authorization', user.authorization);
    if (key !== undefined) request.set('Idempotency-Key', key);
    return request.send(body);
  }

  function checkoutCalls(tenantId: string) {
    return stripe
      .requestsTo('POST', '/v1/checkout/sessions')
      .filter((r) => r.params.client_reference_id === tenantId);
  }

  function stripeCallsFor(tenantId: string) {
    return stripe.requests.filter(
      (r) => r.method === 'POST' && JSON.stringify(r.params).includes(tenantId),
    );
  }

  function tenantCustomers(tenantId: string) {
    return stripe.customers().filter((c) => c.metadata.tenant_id === tenantId);
  }

  async function rowCount(tenantId: string): Promise<number> {
    const rows: { n: string }[] = await t.dataSource.query(
      'SELECT count(*) AS n FROM tenant_subscriptions WHERE tenant_id = $1',
      [tenantId],
    );
    return Number(rows[0].n);
  }

  /** Posts a fake-built event signed to our webhook route, waits for it, then redelivers it. */
  async function deliverTwice(event: StripeFakeEvent): Promise<void> {
    const payload = event as unknown as Record<string, unknown>;
    await postEvent(t, payload).expect(202);
    await settled(t, event.id);
    const again = await postEvent(t, payload).expect(202);
    expect(again.body).toEqual({ success: true, duplicate: true });
  }

  it('creates a Checkout Session for the plan with the tenant customer, reused on the next call', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const response = await checkout(owner, { plan_code: 'pro', seat_count: 3, ...URLS }).expect(
      201,
    );
    const { id } = response.body as { id: string };
    expect(response.body).toEqual({ id, url: `https://checkout.stripe.com/c/pay/${id}` });
    expect(id).toMatch(/^cs_test_/);

    const customers = tenantCustomers(owner.tenantId);
    expect(customers).toHaveLength(1);
    const [call] = checkoutCalls(owner.tenantId);
    expect(call.params).toEqual({
      mode: 'subscription',
      customer: customers[0].id,
      line_items: [{ price: PRICE_MAP.pro, quantity: '3' }],
      client_reference_id: owner.tenantId,
      metadata: { tenant_id: owner.tenantId, plan_code: 'pro' },
      subscription_data: {
        metadata: { tenant_id: owner.tenantId, plan_code: 'pro' },
        trial_period_days: String(trialDays.pro),
      },
      success_url: URLS.success_url,
      cancel_url: URLS.cancel_url,
    });
    expect(call.idempotencyKey).toMatch(new RegExp(`^aa:checkout:create:${owner.tenantId}:r`));
    expect(stripe.checkoutRequestOf(id)).toEqual({
      lineItems: [{ price: PRICE_MAP.pro, quantity: 3 }],
      subscriptionData: {
        trialPeriodDays: trialDays.pro,
        metadata: { tenant_id: owner.tenantId, plan_code: 'pro' },
      },
    });
    // No subscription row until Stripe's webhooks say the customer paid.
    expect(await rowCount(owner.tenantId)).toBe(0);

    const second = await checkout(owner, { plan_code: 'starter', ...URLS }).expect(201);
    expect(second.body.id).not.toBe(id);
    expect(tenantCustomers(owner.tenantId)).toHaveLength(1);
    const calls = checkoutCalls(owner.tenantId);
    expect(calls).toHaveLength(2);
    expect(calls[1].params).toMatchObject({
      customer: customers[0].id,
      line_items: [{ price: PRICE_MAP.starter, quantity: '1' }],
    });
    expect(calls[1].idempotencyKey).not.toBe(calls[0].idempotencyKey);
    const starterTrial = trialDays.starter;
    if (starterTrial && starterTrial > 0) {
      expect(calls[1].params.subscription_data).toMatchObject({
        trial_period_days: String(starterTrial),
      });
    } else {
      expect(calls[1].params.subscription_data).not.toHaveProperty('trial_period_days');
    }
    const mapping: unknown[] = await t.dataSource.query(
      'SELECT processor_customer_id FROM stripe_customers WHERE tenant_id = $1',
      [owner.tenantId],
    );
    expect(mapping).toEqual([{ processor_customer_id: customers[0].id }]);
  });

  it('answers a retried request with the same Idempotency-Key with the same session', async () => {
    const owner = await createTestUser(t, { role: 'admin' });
    const body = { plan_code: 'pro', ...URLS };
    const first = await checkout(owner, body, 'click-1').expect(201);
    const retry = await checkout(owner, body, 'click-1').expect(201);
    expect(retry.body).toEqual(first.body);
    const calls = checkoutCalls(owner.tenantId);
    expect(calls).toHaveLength(2);
    expect(calls[1].idempotencyKey).toBe(calls[0].idempotencyKey);
    expect(calls[0].idempotencyKey).toMatch(new RegExp(`^aa:checkout:create:${owner.tenantId}:c`));
    expect(calls[0].idempotencyKey).not.toContain('click-1');
    expect(calls[1].replayed).toBe(true);
    expect(
      stripe.checkoutSessions().filter((s) => s.client_reference_id === owner.tenantId),
    ).toHaveLength(1);

    const other = await checkout(owner, body, 'click-2').expect(201);
    expect(other.body.id).not.toBe(first.body.id);
    const tooLong = await checkout(owner, body, 'k'.repeat(256)).expect(422);
    expect(tooLong.body.details[0]).toMatchObject({
      type: 'string_too_long',
      loc: ['header', 'idempotency-key'],
    });
  });

  it.each([
    ['subscription.created first', ['subscriptionCreated', 'checkoutCompleted'] as const],
    ['checkout.session.completed first', ['checkoutCompleted', 'subscriptionCreated'] as const],
  ])(
    'links exactly one subscription after Checkout (%s, each delivered twice), then 409s',
    async (_label, order) => {
      const owner = await createTestUser(t, { role: 'owner' });
      const created = await checkout(owner, { plan_code: 'pro', seat_count: 2, ...URLS }).expect(
        201,
      );
      const completion = stripe.completeCheckoutSession(created.body.id as string);
      expect(completion.subscription.status).toBe(trialDays.pro ? 'trialing' : 'active');
      for (const key of order) await deliverTwice(completion[key]);

      expect(await rowCount(owner.tenantId)).toBe(1);
      expect(await subscriptionOf(t, owner.tenantId)).toMatchObject({
        plan_code: 'pro',
        status: completion.subscription.status,
        seat_count: 2,
        processor_subscription_id: completion.subscription.id,
        processor_customer_id: tenantCustomers(owner.tenantId)[0].id,
      });
      const current = await t.http
        .get(`${base(owner.tenantId)}/subscription`)
        .set('Authorization', owner.authorization)
        .expect(200);
      expect(current.body).toMatchObject({
        tenant_id: owner.tenantId,
        plan_code: 'pro',
        status: completion.subscription.status,
      });

      const before = checkoutCalls(owner.tenantId).length;
      const again = await checkout(owner, { plan_code: 'starter', ...URLS }).expect(409);
      expect(again.body).toMatchObject({ success: false, code: 'subscription_exists' });
      expect(again.body.message).toContain(`${base(owner.tenantId)}/portal-sessions`);
      expect(checkoutCalls(owner.tenantId)).toHaveLength(before);
    },
  );

  it('switches the plan of a Checkout subscription through the start route, like PATCH', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const created = await checkout(owner, { plan_code: 'pro', ...URLS }).expect(201);
    const completion = stripe.completeCheckoutSession(created.body.id as string);
    await deliverTwice(completion.subscriptionCreated);
    await deliverTwice(completion.checkoutCompleted);

    const same = await t.http
      .post(`${base(owner.tenantId)}/subscription`)
      .set('Authorization', owner.authorization)
      .send({ plan_code: 'pro' })
      .expect(409);
    expect(same.body.code).toBe('subscription_exists');

    const switched = await t.http
      .post(`${base(owner.tenantId)}/subscription`)
      .set('Authorization', owner.authorization)
      .send({ plan_code: 'starter' })
      .expect(201);
    expect(switched.body).toMatchObject({ tenant_id: owner.tenantId, plan_code: 'starter' });
    expect(switched.body.metadata.stripe_price_id).toBe(PRICE_MAP.starter);
    const modify = stripe.requestsTo('POST', `/v1/subscriptions/${completion.subscription.id}`);
    expect(modify).toHaveLength(1);
    expect(modify[0].params).toMatchObject({
      proration_behavior: 'create_prorations',
      metadata: { plan_code: 'starter' },
    });
    expect(stripe.getSubscription(completion.subscription.id)?.items.data[0].price.id).toBe(
      PRICE_MAP.starter,
    );
    expect(
      stripe.subscriptions().filter((s) => s.customer === completion.subscription.customer),
    ).toHaveLength(1);
    expect(await subscriptionOf(t, owner.tenantId)).toMatchObject({
      plan_code: 'starter',
      processor_subscription_id: completion.subscription.id,
    });
  });

  it('opens the Customer Portal for the tenant customer; 409 before there is one', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const returnUrl = 'https://admin.example.com/settings/billing';
    const none = await portal(owner, { return_url: returnUrl }).expect(409);
    expect(none.body).toMatchObject({ success: false, code: 'billing_customer_missing' });
    expect(stripe.requestsTo('POST', '/v1/billing_portal/sessions')).toHaveLength(0);

    await checkout(owner, { plan_code: 'pro', ...URLS }).expect(201);
    const [customer] = tenantCustomers(owner.tenantId);
    const response = await portal(owner, { return_url: returnUrl }, 'portal-1').expect(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^bps_/),
      url: expect.stringMatching(/^https:\/\/billing\.stripe\.com\/p\/session\//),
    });
    const calls = stripe
      .requestsTo('POST', '/v1/billing_portal/sessions')
      .filter((r) => r.params.customer === customer.id);
    expect(calls).toHaveLength(1);
    expect(calls[0].params).toEqual({ customer: customer.id, return_url: returnUrl });
    expect(calls[0].idempotencyKey).toMatch(new RegExp(`^aa:portal:create:${owner.tenantId}:c`));
    const again = await portal(owner, { return_url: returnUrl }, 'portal-1').expect(201);
    expect(again.body).toEqual(response.body);
  });

  it('refuses viewers (403) and foreign tenants (404) before touching Stripe', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const viewer = await createTestUser(t, { role: 'viewer', tenantId: owner.tenantId });
    const stranger = await createTestUser(t, { role: 'owner' });
    const asViewer = await checkout(viewer, { plan_code: 'pro', ...URLS }).expect(403);
    expect(asViewer.body.message).toBe('Insufficient tenant privileges for this operation.');
    await portal(viewer, { return_url: URLS.cancel_url }).expect(403);
    for (const path of ['checkout-sessions', 'portal-sessions']) {
      const foreign = await t.http
        .post(`${base(owner.tenantId)}/${path}`)
        .set('Authorization', stranger.authorization)
        .send({ plan_code: 'pro', return_url: URLS.cancel_url, ...URLS })
        .expect(404);
      expect(foreign.body.message).toBe('Tenant not found.');
    }
    await t.http
      .post(`${base(owner.tenantId)}/checkout-sessions`)
      .send({ plan_code: 'pro', ...URLS })
      .expect(401);
    expect(stripeCallsFor(owner.tenantId)).toHaveLength(0);
  });

  it('rejects redirect URLs off the allow-list (422 issues on the body field) and unknown plans', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const cases: [Record<string, string>, string, string][] = [
      [{ success_url: 'https://evil.example.net/billing' }, 'success_url', 'value_error'],
      [{ cancel_url: 'http://app.example.com/billing' }, 'cancel_url', 'value_error'],
      [{ cancel_url: 'https://app.example.com:8443/billing' }, 'cancel_url', 'value_error'],
      [{ success_url: 'https://app.example.com.evil.net/' }, 'success_url', 'value_error'],
      [{ success_url: 'https://user:pw@app.example.com/' }, 'success_url', 'value_error'],
      [{ success_url: 'not a url' }, 'success_url', 'url_parsing'],
      [{ cancel_url: 'javascript:alert(1)' }, 'cancel_url', 'url_scheme'],
    ];
    for (const [override, field, type] of cases) {
      const response = await checkout(owner, { plan_code: 'pro', ...URLS, ...override }).expect(
        422,
      );
      expect(response.body).toMatchObject({
        success: false,
        error: 'ValidationError',
        message: 'Request validation failed.',
      });
      expect(response.body.details).toEqual([
        expect.objectContaining({ type, loc: ['body', field], input: override[field] }),
      ]);
    }
    const bad = await portal(owner, { return_url: 'https://evil.example.net/' }).expect(422);
    expect(bad.body.details[0]).toMatchObject({ loc: ['body', 'return_url'] });
    const missing = await checkout(owner, { plan_code: 'pro', cancel_url: URLS.cancel_url }).expect(
      422,
    );
    expect(JSON.stringify(missing.body.details)).toContain('success_url');
    await checkout(owner, { plan_code: 'pro', seat_count: 0, ...URLS }).expect(422);
    const unknown = await checkout(owner, { plan_code: 'enterprise', ...URLS }).expect(404);
    expect(unknown.body).toMatchObject({ code: 'plan_not_found' });
    expect(stripeCallsFor(owner.tenantId)).toHaveLength(0);
  });

  it('maps Stripe errors to the provider envelope and writes no subscription', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    stripe.failNext(
      1,
      {
        status: 400,
        type: 'invalid_request_error',
        code: 'url_invalid',
        param: 'success_url',
        message: 'Not a valid URL',
      },
      { method: 'POST', path: '/v1/checkout/sessions' },
    );
    const rejected = await checkout(owner, { plan_code: 'pro', ...URLS }).expect(400);
    expect(rejected.body).toMatchObject({
      success: false,
      error: 'Stripe error during create_checkout_session: Not a valid URL',
      code: 'stripe_request_rejected',
    });
    stripe.failNext(
      3,
      { status: 503, type: 'api_error' },
      { method: 'POST', path: '/v1/checkout/sessions' },
    );
    const unavailable = await checkout(owner, { plan_code: 'pro', ...URLS }).expect(502);
    expect(unavailable.body.code).toBe('payment_provider_unavailable');
    expect(
      stripe.checkoutSessions().filter((s) => s.client_reference_id === owner.tenantId),
    ).toHaveLength(0);
    expect(await rowCount(owner.tenantId)).toBe(0);
    const metrics = await t.http.get('/metrics').expect(200);
    expect(metrics.text).toMatch(
      /stripe_api_requests_total\{[^}]*operation="checkout_session.create"[^}]*result="url_invalid"[^}]*\} [1-9]/,
    );
    // The customer is real and reused; the retry after the outage works.
    await checkout(owner, { plan_code: 'pro', ...URLS }).expect(201);
    expect(tenantCustomers(owner.tenantId)).toHaveLength(1);

    stripe.failNext(
      1,
      { status: 400, type: 'invalid_request_error', message: 'No configuration' },
      { method: 'POST', path: '/v1/billing_portal/sessions' },
    );
    const portalRejected = await portal(owner, { return_url: URLS.cancel_url }).expect(400);
    expect(portalRejected.body.error).toBe(
      'Stripe error during create_portal_session: No configuration',
    );
  });
});
