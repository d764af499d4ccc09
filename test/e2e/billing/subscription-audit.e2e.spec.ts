import { randomUUID } from 'node:crypto';
import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import type { StripeFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';
import {
  event,
  nowSeconds,
  postEvent,
  settled,
  subscriptionObject,
  subscriptionOf,
} from '../webhooks/webhook-kit';
import { billingEnv, PRICE_MAP, startBillingStripeFake } from './billing-kit';

interface AuditRow {
  action: string;
  tenant_id: string | null;
  actor_user_id: string | null;
  actor_account: string | null;
  target_type: string | null;
  target_id: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
}

describe('subscription changes in the audit log (API and webhook sync)', () => {
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

  function auditOf(tenantId: string): Promise<AuditRow[]> {
    return t.dataSource.query(
      `SELECT action, tenant_id, actor_user_id, actor_account, target_type, target_id,
              request_id, details
         FROM audit_events
        WHERE tenant_id = $1 AND action LIKE 'subscription.%'
        ORDER BY occurred_at, id`,
      [tenantId],
    );
  }

  const base = (owner: TestUser) => `/api/v1/billing/tenants/${owner.tenantId}/subscription`;

  it('records start, plan/seat change and cancel by the caller, with the request id', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const started = await t.http
      .post(base(owner))
      .set('Authorization', owner.authorization)
      .send({ plan_code: 'starter', billing_email: 'billing@example.com', seat_count: 2 })
      .expect(201);
    const row = await subscriptionOf(t, owner.tenantId);
    const target = { target_type: 'subscription', target_id: row?.id };
    const actor = { tenant_id: owner.tenantId, actor_user_id: owner.userId, actor_account: null };

    // Auto-renew alone is not a status, plan or seat change: nothing recorded for it.
    await t.http
      .patch(base(owner))
      .set('Authorization', owner.authorization)
      .send({ auto_renew: false })
      .expect(200);
    const changed = await t.http
      .patch(base(owner))
      .set('Authorization', owner.authorization)
      .send({ plan_code: 'pro', seat_count: 4 })
      .expect(200);
    const canceled = await t.http
      .post(`${base(owner)}/cancel`)
      .set('Authorization', owner.authorization)
      .send({ cancel_at_period_end: false })
      .expect(200);

    const rows = await auditOf(owner.tenantId);
    expect(rows).toEqual([
      expect.objectContaining({
        action: 'subscription.started',
        ...actor,
        ...target,
        request_id: started.headers['x-request-id'],
        details: expect.objectContaining({
          plan_code: 'starter',
          status: 'active',
          seat_count: 2,
          stripe_subscription_id: row?.processor_subscription_id,
        }),
      }),
      expect.objectContaining({
        action: 'subscription.changed',
        ...actor,
        ...target,
        request_id: changed.headers['x-request-id'],
        details: expect.objectContaining({
          plan_code: 'pro',
          seat_count: 4,
          previous: { plan_code: 'starter', status: 'active', seat_count: 2 },
        }),
      }),
      expect.objectContaining({
        action: 'subscription.canceled',
        ...actor,
        ...target,
        request_id: canceled.headers['x-request-id'],
        details: expect.objectContaining({ status: 'canceled', at_period_end: false }),
      }),
    ]);
    expect(JSON.stringify(rows)).not.toContain('billing@example.com');

    // Stripe's echo of our own cancel carries the state already stored: no second record.
    const echo = event(
      'customer.subscription.deleted',
      subscriptionObject({
        id: row?.processor_subscription_id as string,
        customer: row?.processor_customer_id as string,
        tenantId: owner.tenantId,
        priceId: PRICE_MAP.pro,
        quantity: 4,
        status: 'canceled',
      }),
      { created: nowSeconds() + 5 },
    );
    await postEvent(t, echo).expect(202);
    await settled(t, echo.id);
    expect(await auditOf(owner.tenantId)).toHaveLength(3);
  });

  it("records signup's start in the new tenant, as the system (no signed-in caller yet)", async () => {
    const email = `signup-audit-${randomUUID().slice(0, 8)}@example.test`;
    const response = await t.http
      .post('/api/v1/auth/register')
      .send({
        email,
        password: 'Correct-Horse-Battery-Staple-42',
        tenant_name: `Tenant ${randomUUID().slice(0, 8)}`,
        plan_code: 'pro',
        accept_terms: true,
      })
      .expect(201);
    const [row] = await t.dataSource.query<{ id: string; tenant_id: string }[]>(
      `SELECT s.id, s.tenant_id FROM tenant_subscriptions s
         JOIN tenant_user_memberships m ON m.tenant_id = s.tenant_id
         JOIN users u ON u.id = m.user_id WHERE u.email = $1`,
      [email],
    );
    expect(await auditOf(row.tenant_id)).toEqual([
      expect.objectContaining({
        action: 'subscription.started',
        tenant_id: row.tenant_id,
        actor_user_id: null,
        target_id: row.id,
        request_id: response.headers['x-request-id'],
        details: expect.objectContaining({
          plan_code: 'pro',
          status: 'trialing',
          seat_count: 1,
          trial_days: 14,
        }),
      }),
    ]);
  });

  it('records the webhook sync as the system, once per change however often it is delivered', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const fields = { tenantId: owner.tenantId, priceId: PRICE_MAP.starter, quantity: 1 };
    const subscription = subscriptionObject(fields);
    const ids = { id: subscription.id as string, customer: subscription.customer as string };
    const created = event('customer.subscription.created', subscription);
    await postEvent(t, created).expect(202);
    await settled(t, created.id);
    const redelivered = await postEvent(t, created).expect(202);
    expect(redelivered.body).toEqual({ success: true, duplicate: true });
    // Another event with the same state (a retry under a new id, or updated with no change).
    const same = event('customer.subscription.updated', subscriptionObject({ ...fields, ...ids }), {
      created: nowSeconds() + 2,
    });
    await postEvent(t, same).expect(202);
    await settled(t, same.id);

    const row = await subscriptionOf(t, owner.tenantId);
    const system = {
      tenant_id: owner.tenantId,
      actor_user_id: null,
      actor_account: null,
      target_type: 'subscription',
      target_id: row?.id,
    };
    expect(await auditOf(owner.tenantId)).toEqual([
      expect.objectContaining({
        action: 'subscription.started',
        ...system,
        details: expect.objectContaining({
          plan_code: 'starter',
          status: 'active',
          seat_count: 1,
          stripe_subscription_id: ids.id,
          stripe_event_id: created.id,
        }),
      }),
    ]);

    const seats = event(
      'customer.subscription.updated',
      subscriptionObject({ ...fields, ...ids, quantity: 3 }),
      { created: nowSeconds() + 4 },
    );
    await postEvent(t, seats).expect(202);
    await postEvent(t, seats).expect(202);
    await settled(t, seats.id);
    const deleted = event(
      'customer.subscription.deleted',
      subscriptionObject({ ...fields, ...ids, quantity: 3, status: 'canceled' }),
      { created: nowSeconds() + 6 },
    );
    await postEvent(t, deleted).expect(202);
    await settled(t, deleted.id);

    const rows = await auditOf(owner.tenantId);
    expect(rows.map((r) => r.action)).toEqual([
      'subscription.started',
      'subscription.changed',
      'subscription.canceled',
    ]);
    expect(rows[1]).toMatchObject({
      ...system,
      details: { seat_count: 3, previous: { seat_count: 1 }, stripe_event_id: seats.id },
    });
    expect(rows[2]).toMatchObject({ ...system, details: { status: 'canceled' } });
  });
});
