import { randomUUID } from 'node:crypto';
import type { StripeFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';
import { billingEnv, PRICE_MAP, startBillingStripeFake } from './billing-kit';

describe('signup provisions a trial subscription through the billing port', () => {
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

  function register(email: string) {
    return t.http.post('/api/v1/auth/register').send({
      email,
      password: 'Correct-Horse-Battery-Staple-42',
      tenant_name: `Tenant ${randomUUID().slice(0, 8)}`,
      plan_code: 'pro',
      accept_terms: true,
    });
  }

  it('starts the plan with its trial, one seat and the signup email', async () => {
    const email = `signup-${randomUUID().slice(0, 8)}@example.test`;
    await register(email).expect(201);
    const [row] = await t.dataSource.query<Record<string, unknown>[]>(
      `SELECT s.status, s.seat_count, s.billing_email, s.trial_ends_at, s.tenant_id, p.code AS plan_code
         FROM tenant_subscriptions s JOIN billing_plans p ON p.id = s.plan_id
         JOIN tenant_user_memberships m ON m.tenant_id = s.tenant_id
         JOIN users u ON u.id = m.user_id WHERE u.email = $1`,
      [email],
    );
    expect(row).toMatchObject({
      status: 'trialing',
      seat_count: 1,
      billing_email: email,
      plan_code: 'pro',
    });
    const trialDays = ((row.trial_ends_at as Date).getTime() - Date.now()) / 86_400_000;
    expect(Math.round(trialDays)).toBe(14);
    const created = stripe
      .requestsTo('POST', '/v1/subscriptions')
      .find((r) => JSON.stringify(r.params).includes(row.tenant_id as string));
    expect(created?.params).toMatchObject({
      trial_period_days: '14',
      items: [{ price: PRICE_MAP.pro, quantity: '1' }],
    });
    const customer = stripe.customers().find((c) => c.metadata.tenant_id === row.tenant_id);
    expect(customer?.email).toBe(email);
  });

  it('fails the signup (and keeps no tenant) when Stripe is unavailable', async () => {
    const email = `signup-${randomUUID().slice(0, 8)}@example.test`;
    stripe.failNext(
      3,
      { status: 500, type: 'api_error' },
      { method: 'POST', path: '/v1/customers' },
    );
    const response = await register(email);
    expect(response.status).toBe(502);
    const users: unknown[] = await t.dataSource.query('SELECT id FROM users WHERE email = $1', [
      email,
    ]);
    expect(users).toEqual([]);
  });
});

describe('billing routes exist only with ENABLE_BILLING', () => {
  let off: TestApp;
  let on: TestApp;
  let stripe: StripeFake;

  beforeAll(async () => {
    stripe = await startBillingStripeFake();
    off = await startTestApp();
    on = await startTestApp({ env: billingEnv(stripe) });
  });

  afterAll(async () => {
    await off.close();
    await on.close();
    await stripe.close();
  });

  it('answers 404 for billing and the webhook when billing is off', async () => {
    await off.http.get('/api/v1/billing/plans').expect(404);
    await off.http.post('/webhooks/stripe').send({}).expect(404);
  });

  it('publishes the reference operationIds and schema names when on', async () => {
    const document = (await on.http.get('/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { operationId: string }>>;
      components: { schemas: Record<string, unknown> };
    };
    const ids = Object.values(document.paths).flatMap((item) =>
      Object.values(item).map((operation) => operation.operationId),
    );
    expect(ids).toEqual(
      expect.arrayContaining([
        'list_billing_plans_api_v1_billing_plans_get',
        'get_tenant_subscription_api_v1_billing_tenants__tenant_id__subscription_get',
        'start_subscription_api_v1_billing_tenants__tenant_id__subscription_post',
        'update_subscription_api_v1_billing_tenants__tenant_id__subscription_patch',
        'cancel_subscription_api_v1_billing_tenants__tenant_id__subscription_cancel_post',
        'record_usage_api_v1_billing_tenants__tenant_id__usage_post',
        'billing_event_stream_api_v1_billing_stream_get',
        'handle_stripe_webhook_webhooks_stripe_post',
      ]),
    );
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining([
        'BillingPlanResponse',
        'PlanFeatureResponse',
        'TenantSubscriptionResponse',
        'StartSubscriptionRequest',
        'UpdateSubscriptionRequest',
        'CancelSubscriptionRequest',
        'UsageRecordRequest',
        'SuccessResponse',
      ]),
    );
  });
});
