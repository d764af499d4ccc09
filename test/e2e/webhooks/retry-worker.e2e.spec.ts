import { randomUUID } from 'node:crypto';
import { DispatchRetryWorker } from '../../../src/modules/webhooks';
import { BillingSyncHandler } from '../../../src/modules/webhooks/handlers/billing-sync.handler';
import { createTestUser } from '../../support/auth-fixtures';
import type { StripeFake } from '../../support/fakes';
import { startTestApp, usingRealPostgres, type TestApp } from '../../support/test-app';
import { billingEnv, PRICE_MAP, startBillingStripeFake, waitFor } from '../billing/billing-kit';
import {
  event,
  invoiceObject,
  postEvent,
  settled,
  storedEvent,
  subscriptionObject,
  subscriptionOf,
  type StripeEventFixture,
} from './webhook-kit';

const WORKER_ENV = {
  ENABLE_BILLING_RETRY_WORKER: 'true',
  BILLING_RETRY_POLL_SECONDS: '0.1',
  BILLING_RETRY_BASE_SECONDS: '1',
  BILLING_RETRY_MAX_DELAY_SECONDS: '2',
  BILLING_RETRY_MAX_ATTEMPTS: '3',
  BILLING_RETRY_BATCH_SIZE: '2',
  BILLING_DISPATCH_LEASE_SECONDS: '5',
};

/** Several app instances share one database only on a real Postgres (embedded is per app). */
const itShared = usingRealPostgres() ? it : it.skip;

describe('dispatch retry worker (decisions B2 and P12)', () => {
  let stripe: StripeFake;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    stripe = await startBillingStripeFake();
    a = await startTestApp({ env: billingEnv(stripe, WORKER_ENV) });
    b = await startTestApp({ env: billingEnv(stripe, WORKER_ENV) });
  });

  afterAll(async () => {
    await b.close();
    await a.close();
    await stripe.close();
  });

  async function newTenant(): Promise<string> {
    const id = randomUUID();
    await a.dataSource.query('INSERT INTO tenant_accounts (id, slug, name) VALUES ($1, $2, $3)', [
      id,
      `t-${id.slice(0, 8)}`,
      'Worker tenant',
    ]);
    return id;
  }

  /** Stores an event as intake would have, with its dispatch row in the given state. */
  async function storeEvent(
    fixture: StripeEventFixture,
    dispatch: {
      status: string;
      attempts?: number;
      leaseExpired?: boolean;
      ageSeconds?: number;
    } | null,
  ): Promise<string> {
    const [row] = await a.dataSource.query<{ id: string }[]>(
      `INSERT INTO stripe_events (stripe_event_id, event_type, payload, stripe_created_at, received_at)
       VALUES ($1, $2, $3, to_timestamp($4), now() - interval '1 minute') RETURNING id`,
      [fixture.id, fixture.type, fixture, fixture.created],
    );
    if (dispatch) {
      await a.dataSource.query(
        `INSERT INTO stripe_event_dispatch
           (stripe_event_id, handler, status, attempts, next_retry_at, lease_token, lease_expires_at,
            created_at, updated_at)
         VALUES ($1, 'billing_sync', $2::varchar, $3, CASE WHEN $2::varchar = 'failed' THEN now() - interval '1 second' END,
                 CASE WHEN $4::boolean THEN gen_random_uuid() END, CASE WHEN $4::boolean THEN now() - interval '1 second' END,
                 now() - make_interval(secs => $5), now() - make_interval(secs => $5))`,
        [
          row.id,
          dispatch.status,
          dispatch.attempts ?? 0,
          dispatch.leaseExpired ?? false,
          dispatch.ageSeconds ?? 60,
        ],
      );
    }
    return row.id;
  }

  it('retries a failing handler until it succeeds', async () => {
    const owner = await createTestUser(a, { role: 'owner' });
    const fixture = event('invoice.paid', {
      ...invoiceObject({
        customer: 'cus_later',
        subscription: 'sub_later',
        tenantId: owner.tenantId,
      }),
    });
    await postEvent(a, fixture).expect(202);
    const [failed] = await settled(a, fixture.id, ['failed']);
    expect(failed.attempts).toBe(1);
    await a.http
      .post(`/api/v1/billing/tenants/${owner.tenantId}/subscription`)
      .set('Authorization', owner.authorization)
      .send({ plan_code: 'starter' })
      .expect(201);
    const [done] = await settled(a, fixture.id, ['completed'], 10_000);
    expect(done.attempts).toBe(2);
    expect(await storedEvent(a, fixture.id)).toMatchObject({ processing_outcome: 'processed' });
    const metrics = [(await a.http.get('/metrics')).text, (await b.http.get('/metrics')).text].join(
      '\n',
    );
    expect(metrics).toMatch(
      /stripe_dispatch_retry_total\{[^}]*handler="invoice_sync"[^}]*result="success"[^}]*\} [1-9]/,
    );
  });

  it('gives up after BILLING_RETRY_MAX_ATTEMPTS and marks the row dead', async () => {
    const owner = await createTestUser(a, { role: 'owner' });
    const fixture = event(
      'invoice.payment_failed',
      invoiceObject({ customer: 'cus_never', subscription: 'sub_never', tenantId: owner.tenantId }),
    );
    await postEvent(a, fixture).expect(202);
    const [dead] = await settled(a, fixture.id, ['dead'], 15_000);
    expect(dead).toMatchObject({ attempts: 3, next_retry_at: null });
    expect(dead.last_error).toMatch(/has no subscription for invoice/);
    expect(await storedEvent(a, fixture.id)).toMatchObject({ processing_outcome: 'failed' });
    await waitFor(async () => {
      const text = [(await a.http.get('/metrics')).text, (await b.http.get('/metrics')).text].join(
        '\n',
      );
      return /^stripe_dispatch_dead_letters [1-9]/m.test(text);
    });
    // A dead row is never picked up again.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const [still] = await settled(a, fixture.id, ['dead']);
    expect(still.attempts).toBe(3);
  });

  it('marks a malformed event dead at once (permanent error)', async () => {
    const fixture = event('invoice.paid', { object: 'invoice' });
    await postEvent(a, fixture).expect(202);
    const [dead] = await settled(a, fixture.id, ['dead']);
    expect(dead).toMatchObject({ attempts: 1, last_error: 'Event carries no invoice object' });
  });

  itShared('never dispatches one row twice with two instances running the worker', async () => {
    const handlers = [a.app.get(BillingSyncHandler), b.app.get(BillingSyncHandler)];
    const spies = handlers.map((handler) => jest.spyOn(handler, 'apply'));
    try {
      const fixtures: StripeEventFixture[] = [];
      for (let i = 0; i < 20; i += 1) {
        const tenantId = await newTenant();
        fixtures.push(
          event(
            'customer.subscription.updated',
            subscriptionObject({ tenantId, status: 'active' }),
          ),
        );
      }
      for (const fixture of fixtures) await storeEvent(fixture, { status: 'failed', attempts: 1 });
      for (const fixture of fixtures) await settled(a, fixture.id, ['completed'], 20_000);

      const ids = new Set(fixtures.map((f) => f.id));
      const calls = spies
        .flatMap((spy) => spy.mock.calls)
        .map(([, context]) => context.stripeEventId)
        .filter((id) => ids.has(id));
      expect(calls).toHaveLength(fixtures.length);
      expect(new Set(calls).size).toBe(fixtures.length);
      for (const fixture of fixtures) {
        const [row] = await settled(a, fixture.id);
        expect(row.attempts).toBe(2);
      }
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  itShared(
    'dispatches events stored before a crash and recovers stuck rows after a restart',
    async () => {
      // The running instances stop working: only the restarted one may pick these rows up.
      await a.app.get(DispatchRetryWorker).beforeApplicationShutdown();
      await b.app.get(DispatchRetryWorker).beforeApplicationShutdown();
      const orphanTenant = await newTenant();
      const pendingTenant = await newTenant();
      const stuckTenant = await newTenant();
      // Stored, then the process died: no dispatch row / a pending one / one stuck in progress.
      const orphan = event(
        'customer.subscription.created',
        subscriptionObject({ tenantId: orphanTenant, priceId: PRICE_MAP.pro }),
      );
      const pending = event(
        'customer.subscription.created',
        subscriptionObject({ tenantId: pendingTenant }),
      );
      const stuck = event(
        'customer.subscription.created',
        subscriptionObject({ tenantId: stuckTenant }),
      );
      await storeEvent(orphan, null);
      await storeEvent(pending, { status: 'pending' });
      await storeEvent(stuck, { status: 'in_progress', attempts: 1, leaseExpired: true });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await subscriptionOf(a, orphanTenant)).toBeUndefined();

      const restarted = await startTestApp({ env: billingEnv(stripe, WORKER_ENV) });
      try {
        await settled(restarted, orphan.id);
        await settled(restarted, pending.id);
        const [recovered] = await settled(restarted, stuck.id);
        expect(recovered.attempts).toBe(2);
        expect(await subscriptionOf(restarted, orphanTenant)).toMatchObject({
          plan_code: 'pro',
          status: 'active',
        });
        expect(await subscriptionOf(restarted, pendingTenant)).toBeDefined();
        expect(await subscriptionOf(restarted, stuckTenant)).toBeDefined();
      } finally {
        await restarted.close();
      }
    },
  );
});
