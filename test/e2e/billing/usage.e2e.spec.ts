import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import type { StripeFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';
import { billingEnv, startBillingStripeFake } from './billing-kit';

describe('usage reports as Billing Meter events (decision B1)', () => {
  let stripe: StripeFake;
  let t: TestApp;

  beforeAll(async () => {
    stripe = await startBillingStripeFake();
    t = await startTestApp({
      env: billingEnv(stripe, { STRIPE_METER_EVENT_MAP: '{"messages":"aa_messages"}' }),
    });
  });

  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  async function subscribedOwner(): Promise<{ owner: TestUser; customerId: string }> {
    const owner = await createTestUser(t, { role: 'owner' });
    await t.http
      .post(`/api/v1/billing/tenants/${owner.tenantId}/subscription`)
      .set('Authorization', owner.authorization)
      .send({ plan_code: 'pro' })
      .expect(201);
    const customer = stripe.customers().find((c) => c.metadata.tenant_id === owner.tenantId);
    return { owner, customerId: customer?.id ?? '' };
  }

  function report(user: TestUser, body: Record<string, unknown>) {
    return t.http
      .post(`/api/v1/billing/tenants/${user.tenantId}/usage`)
      .set('Authorization', user.authorization)
      .send(body);
  }

  function meterEventsOf(customerId: string) {
    return stripe.meterEvents().filter((e) => e.payload.stripe_customer_id === customerId);
  }

  async function ledger(tenantId: string) {
    return t.dataSource.query<
      { feature_key: string; quantity: number; external_event_id: string | null }[]
    >(
      `SELECT u.feature_key, u.quantity, u.external_event_id FROM subscription_usage u
       JOIN tenant_subscriptions s ON s.id = u.subscription_id
       WHERE s.tenant_id = $1 ORDER BY u.reported_at`,
      [tenantId],
    );
  }

  it('counts a report posted twice with one key as exactly one meter event and one ledger row', async () => {
    const { owner, customerId } = await subscribedOwner();
    const body = { feature_key: 'messages', quantity: 7, idempotency_key: 'batch-1' };
    const first = await report(owner, body).expect(202);
    expect(first.body).toEqual({ success: true, message: 'Usage recorded.', data: null });
    await report(owner, body).expect(202);

    const events = meterEventsOf(customerId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event_name: 'aa_messages',
      payload: { stripe_customer_id: customerId, value: '7' },
    });
    expect(events[0].identifier).toMatch(/^usage_[0-9a-f]{48}$/);
    const requests = stripe.requestsTo('POST', '/v1/billing/meter_events');
    const mine = requests.filter((r) => JSON.stringify(r.params).includes(customerId));
    expect(mine).toHaveLength(1);
    expect(mine[0].idempotencyKey).toBe(events[0].identifier);
    expect(await ledger(owner.tenantId)).toEqual([
      { feature_key: 'messages', quantity: 7, external_event_id: 'batch-1' },
    ]);
  });

  it('keeps concurrent duplicates to one meter event', async () => {
    const { owner, customerId } = await subscribedOwner();
    const body = { feature_key: 'tokens', quantity: 3, idempotency_key: 'race' };
    const results = await Promise.all([
      report(owner, body),
      report(owner, body),
      report(owner, body),
    ]);
    expect(results.map((r) => r.status)).toEqual([202, 202, 202]);
    expect(meterEventsOf(customerId)).toHaveLength(1);
    expect(await ledger(owner.tenantId)).toHaveLength(1);
  });

  it('records reports without a key (or with other keys for the same period) separately', async () => {
    const { owner, customerId } = await subscribedOwner();
    const periodStart = new Date(Date.now() + 1000).toISOString();
    await report(owner, { feature_key: 'messages', quantity: 1, period_start: periodStart }).expect(
      202,
    );
    await report(owner, { feature_key: 'messages', quantity: 2, period_start: periodStart }).expect(
      202,
    );
    await report(owner, {
      feature_key: 'messages',
      quantity: 3,
      idempotency_key: 'k-a',
      period_start: periodStart,
    }).expect(202);
    expect(meterEventsOf(customerId)).toHaveLength(3);
    expect((await ledger(owner.tenantId)).map((row) => row.quantity)).toEqual([1, 2, 3]);

    const summary = await t.http
      .get(`/api/v1/billing/tenants/${owner.tenantId}/usage`)
      .set('Authorization', owner.authorization)
      .expect(200);
    expect(summary.body.features).toEqual([{ feature_key: 'messages', quantity: 6, records: 3 }]);
  });

  it('rejects reports without a subscription (404), from viewers (403) and out of range (400)', async () => {
    const bare = await createTestUser(t, { role: 'owner' });
    const missing = await report(bare, { feature_key: 'messages', quantity: 1 }).expect(404);
    expect(missing.body.message).toBe(
      `Tenant '${bare.tenantId}' does not have an active subscription.`,
    );

    const { owner, customerId } = await subscribedOwner();
    const viewer = await createTestUser(t, { role: 'viewer', tenantId: owner.tenantId });
    await report(viewer, { feature_key: 'messages', quantity: 1 }).expect(403);
    await report(owner, { feature_key: 'messages', quantity: 0 }).expect(422);
    await report(owner, { feature_key: 'x'.repeat(65), quantity: 1 }).expect(422);
    const old = await report(owner, {
      feature_key: 'messages',
      quantity: 1,
      period_end: '2020-01-01T00:00:00',
    }).expect(400);
    expect(old.body.code).toBe('invalid_usage');
    expect(meterEventsOf(customerId)).toHaveLength(0);
    expect(await ledger(owner.tenantId)).toHaveLength(0);
  });

  it('writes no ledger row when Stripe rejects the meter event', async () => {
    const { owner, customerId } = await subscribedOwner();
    stripe.failNext(
      1,
      {
        status: 400,
        type: 'invalid_request_error',
        code: 'parameter_invalid',
        message: 'Bad meter',
      },
      { method: 'POST', path: '/v1/billing/meter_events' },
    );
    const response = await report(owner, {
      feature_key: 'messages',
      quantity: 5,
      idempotency_key: 'rejected',
    }).expect(400);
    expect(response.body.message).toBe('Stripe error during record_usage: Bad meter');
    expect(await ledger(owner.tenantId)).toHaveLength(0);
    // The same report succeeds once Stripe accepts it.
    await report(owner, {
      feature_key: 'messages',
      quantity: 5,
      idempotency_key: 'rejected',
    }).expect(202);
    expect(meterEventsOf(customerId)).toHaveLength(1);
    expect(await ledger(owner.tenantId)).toHaveLength(1);
  });
});
