import { randomUUID } from 'node:crypto';
import {
  MeterOutboxWorker,
  meterIdentifierOf,
} from '../../../src/modules/billing/usage/meter-outbox.worker';
import {
  UsageEventRepository,
  type ClaimedUsageEvent,
} from '../../../src/modules/billing/usage/usage-event.repository';
import { createTestUser } from '../../support/auth-fixtures';
import type { StripeFake } from '../../support/fakes';
import { startTestApp, usingRealPostgres, type TestApp } from '../../support/test-app';
import { billingEnv, startBillingStripeFake } from '../../e2e/billing/billing-kit';

interface EventRow {
  source_id: string;
  meter_state: string;
  attempts: number;
  next_attempt_at: Date;
  lease_until: Date | null;
  last_error: string | null;
  sent_at: Date | null;
}

/**
 * The meter outbox (decision P12, docs/billing-metering.md) against real Postgres: two app
 * instances (replicas) share one database and one Stripe fake. The apps' own loops are off; the
 * tests poll, limited to their tenants, since every test app of a run shares the database.
 */
(usingRealPostgres() ? describe : describe.skip)('meter outbox worker (usage_events)', () => {
  let stripe: StripeFake;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    stripe = await startBillingStripeFake();
    const env = billingEnv(stripe, {
      ENABLE_BILLING_METER_WORKER: 'false',
      BILLING_METER_BATCH_SIZE: '7',
      STRIPE_MAX_NETWORK_RETRIES: '0',
      STRIPE_METER_EVENT_MAP: '{"chat_tokens":"aa_chat_tokens"}',
    });
    [a, b] = await Promise.all([startTestApp({ env }), startTestApp({ env })]);
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await stripe?.close();
  });

  async function tenant(withCustomer: boolean): Promise<{ tenantId: string; customerId: string }> {
    const owner = await createTestUser(a, { role: 'owner' });
    const customerId = `cus_${randomUUID().replace(/-/g, '').slice(0, 14)}`;
    if (withCustomer) {
      await a.dataSource.query(
        'INSERT INTO stripe_customers (tenant_id, processor_customer_id) VALUES ($1, $2)',
        [owner.tenantId, customerId],
      );
    }
    return { tenantId: owner.tenantId, customerId };
  }

  async function seed(tenantId: string, count: number, quantity = 5): Promise<string[]> {
    const repo = a.app.get(UsageEventRepository);
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const sourceId = String(100_000 + i);
      await repo.insert({
        tenantId,
        featureKey: 'chat_tokens',
        quantity: quantity + i,
        occurredAt: new Date(Date.now() - 60_000 + i),
        sourceType: 'chat_message',
        sourceId,
      });
      ids.push(sourceId);
    }
    return ids;
  }

  function rows(tenantId: string): Promise<EventRow[]> {
    return a.dataSource.query(
      `SELECT source_id, meter_state, attempts, next_attempt_at, lease_until, last_error, sent_at
         FROM usage_events WHERE tenant_id = $1 ORDER BY source_id`,
      [tenantId],
    );
  }

  function identifiers(tenantId: string, sourceIds: string[]): string[] {
    return sourceIds.map((sourceId) =>
      meterIdentifierOf({
        tenantId,
        featureKey: 'chat_tokens',
        sourceType: 'chat_message',
        sourceId,
      }),
    );
  }

  /** Meter event requests that reached the fake (not injected failures) per identifier. */
  function requestsPer(ids: string[]): Map<string, number> {
    const counts = new Map(ids.map((id) => [id, 0]));
    for (const request of stripe.requestsTo('POST', '/v1/billing/meter_events')) {
      const identifier = (request.params as { identifier?: string }).identifier;
      if (identifier && counts.has(identifier) && !request.injected) {
        counts.set(identifier, (counts.get(identifier) ?? 0) + 1);
      }
    }
    return counts;
  }

  async function drain(worker: MeterOutboxWorker, tenantIds: string[]): Promise<void> {
    while (await worker.poll({ tenantIds })) {
      // a full batch: more may be due
    }
  }

  it('sends each of 50 events exactly once with two workers polling concurrently', async () => {
    const { tenantId, customerId } = await tenant(true);
    const sourceIds = await seed(tenantId, 50);
    const ids = identifiers(tenantId, sourceIds);

    const workers = [a.app.get(MeterOutboxWorker), b.app.get(MeterOutboxWorker)];
    const claimedBy = [0, 0];
    workers.forEach((worker, i) => {
      const send = worker.send.bind(worker);
      jest.spyOn(worker, 'send').mockImplementation(async (batch) => {
        claimedBy[i] += batch.length;
        return send(batch);
      });
    });
    await Promise.all([
      drain(workers[0], [tenantId]),
      drain(workers[1], [tenantId]),
      drain(workers[0], [tenantId]),
      drain(workers[1], [tenantId]),
    ]);

    const counts = requestsPer(ids);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const events = stripe.meterEvents().filter((e) => ids.includes(e.identifier));
    expect(events).toHaveLength(50);
    expect(events[0]).toMatchObject({
      event_name: 'aa_chat_tokens',
      payload: { stripe_customer_id: customerId },
    });
    expect(events.map((e) => Number(e.payload.value)).sort((x, y) => x - y)).toEqual(
      sourceIds.map((_, i) => 5 + i),
    );
    const stored = await rows(tenantId);
    expect(
      stored.every((row) => row.meter_state === 'sent' && row.sent_at && !row.lease_until),
    ).toBe(true);
    // Every request for these events reached Stripe once: no claim was worked twice.
    const perRequest = stripe
      .requestsTo('POST', '/v1/billing/meter_events')
      .filter((r) => ids.includes((r.params as { identifier?: string }).identifier ?? ''));
    expect(perRequest).toHaveLength(50);
    expect(claimedBy.reduce((sum, n) => sum + n, 0)).toBe(50);
  });

  it('resends the batch of a worker that died after claiming it, once its lease lapsed', async () => {
    const { tenantId } = await tenant(true);
    const sourceIds = await seed(tenantId, 6);
    const ids = identifiers(tenantId, sourceIds);
    const repo = a.app.get(UsageEventRepository);

    // Worker A claims everything (1 s lease) and dies: it never sends nor settles.
    const claimed: ClaimedUsageEvent[] = await repo.claimDue(100, 1, [tenantId]);
    expect(claimed).toHaveLength(6);
    // While the lease holds, nobody else may take them.
    await b.app.get(MeterOutboxWorker).poll({ tenantIds: [tenantId] });
    expect([...requestsPer(ids).values()]).toEqual([0, 0, 0, 0, 0, 0]);

    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await drain(b.app.get(MeterOutboxWorker), [tenantId]);
    expect([...requestsPer(ids).values()]).toEqual([1, 1, 1, 1, 1, 1]);
    expect((await rows(tenantId)).map((row) => row.meter_state)).toEqual(Array(6).fill('sent'));

    // The dead worker's late settle (stale lease) changes nothing.
    expect(await repo.retryLater(claimed[0], 'late', 60)).toBe(false);
    expect((await rows(tenantId))[0].meter_state).toBe('sent');
  });

  it('keeps events pending after a Stripe 500 (attempts + 1, retry later), then sends them', async () => {
    const { tenantId } = await tenant(true);
    const sourceIds = await seed(tenantId, 2);
    const ids = identifiers(tenantId, sourceIds);
    stripe.failNext(2, { status: 500, type: 'api_error' }, { path: '/v1/billing/meter_events' });

    const before = Date.now();
    await a.app.get(MeterOutboxWorker).poll({ tenantIds: [tenantId] });
    let stored = await rows(tenantId);
    for (const row of stored) {
      expect(row.meter_state).toBe('pending');
      expect(row.attempts).toBe(1);
      expect(row.lease_until).toBeNull();
      expect(row.last_error).toMatch(/api_error|Stripe/i);
      expect(new Date(row.next_attempt_at).getTime()).toBeGreaterThan(before + 4_000);
    }
    // Not due yet: a poll now sends nothing.
    await b.app.get(MeterOutboxWorker).poll({ tenantIds: [tenantId] });
    expect([...requestsPer(ids).values()]).toEqual([0, 0]);

    // Its retry time comes: the next poll sends both.
    await a.dataSource.query(
      'UPDATE usage_events SET next_attempt_at = now() WHERE tenant_id = $1',
      [tenantId],
    );
    await b.app.get(MeterOutboxWorker).poll({ tenantIds: [tenantId] });
    stored = await rows(tenantId);
    expect(stored.map((row) => [row.meter_state, row.attempts])).toEqual([
      ['sent', 2],
      ['sent', 2],
    ]);
    expect([...requestsPer(ids).values()]).toEqual([1, 1]);
  });

  it('counts a duplicate identifier (already in Stripe) as sent', async () => {
    const { tenantId, customerId } = await tenant(true);
    const [sourceId] = await seed(tenantId, 1);
    const [identifier] = identifiers(tenantId, [sourceId]);
    // An earlier attempt reached Stripe (e.g. the worker died before marking the row sent).
    const response = await fetch(`${stripe.url}/v1/billing/meter_events`, {
      method: 'POST',
      headers: {
        Authorization: 'Bearer sk_test_x',
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        event_name: 'aa_chat_tokens',
        identifier,
        'payload[stripe_customer_id]': customerId,
        'payload[value]': '5',
      }).toString(),
    });
    expect(response.status).toBe(200);

    await a.app.get(MeterOutboxWorker).poll({ tenantIds: [tenantId] });
    const [row] = await rows(tenantId);
    expect(row.meter_state).toBe('sent');
    expect(stripe.meterEvents().filter((e) => e.identifier === identifier)).toHaveLength(1);
  });

  it('skips the events of a tenant without a Stripe customer (free tier)', async () => {
    const { tenantId } = await tenant(false);
    const sourceIds = await seed(tenantId, 3);
    await a.app.get(MeterOutboxWorker).poll({ tenantIds: [tenantId] });
    const stored = await rows(tenantId);
    expect(stored.map((row) => row.meter_state)).toEqual(['skipped', 'skipped', 'skipped']);
    expect([...requestsPer(identifiers(tenantId, sourceIds)).values()]).toEqual([0, 0, 0]);
  });

  it('marks an event dead after the last attempt', async () => {
    const { tenantId } = await tenant(true);
    await seed(tenantId, 1);
    await a.dataSource.query('UPDATE usage_events SET attempts = 11 WHERE tenant_id = $1', [
      tenantId,
    ]);
    stripe.failNext(1, { status: 500, type: 'api_error' }, { path: '/v1/billing/meter_events' });
    await a.app.get(MeterOutboxWorker).poll({ tenantIds: [tenantId] });
    const [row] = await rows(tenantId);
    expect(row).toMatchObject({ meter_state: 'dead', attempts: 12 });
    expect(row.last_error).toBeTruthy();
  });
});
