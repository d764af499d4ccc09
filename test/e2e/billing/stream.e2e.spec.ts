import { BillingStreamPublisher, serializeBillingEvent } from '../../../src/modules/billing';
import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import type { StripeFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';
import { billingEnv, openSse, startBillingStripeFake, type SseClient } from './billing-kit';

describe('billing SSE stream (decision B3)', () => {
  let stripe: StripeFake;
  let app1: TestApp;
  let app2: TestApp;
  const open: SseClient[] = [];
  let sequence = 0;

  beforeAll(async () => {
    stripe = await startBillingStripeFake();
    app1 = await startTestApp({ env: billingEnv(stripe) });
    app2 = await startTestApp({
      env: billingEnv(stripe, { REDIS_KEY_PREFIX: app1.redisKeyPrefix }),
    });
  });

  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });

  afterAll(async () => {
    await app2.close();
    await app1.close();
    await stripe.close();
  });

  async function connect(
    app: TestApp,
    user: TestUser,
    options: { lastEventId?: string; query?: string } = {},
  ): Promise<SseClient> {
    const headers: Record<string, string> = { Authorization: user.authorization };
    if (options.lastEventId) headers['Last-Event-ID'] = options.lastEventId;
    const client = await openSse(`${app.url}/api/v1/billing/stream${options.query ?? ''}`, headers);
    open.push(client);
    return client;
  }

  async function publish(app: TestApp, tenantId: string, status = 'active'): Promise<string> {
    sequence += 1;
    const stripeEventId = `evt_stream_${sequence}`;
    const payload = serializeBillingEvent({
      tenantId,
      eventType: 'customer.subscription.updated',
      stripeEventId,
      occurredAt: new Date('2025-11-07T10:00:00Z'),
      summary: `Subscription ${status}`,
      status,
    });
    return app.app.get(BillingStreamPublisher).publish(tenantId, payload, {
      eventType: 'customer.subscription.updated',
      stripeEventId,
      source: 'webhook',
    });
  }

  it("delivers a tenant's events to that tenant only, as bare data frames with event_id", async () => {
    const a = await createTestUser(app1, { role: 'owner' });
    const b = await createTestUser(app1, { role: 'viewer' });
    const streamA = await connect(app1, a);
    const streamB = await connect(app1, b);
    expect(streamA.status).toBe(200);
    expect(streamA.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');

    const idA = await publish(app1, a.tenantId, 'active');
    const idB = await publish(app1, b.tenantId, 'past_due');
    const [eventA] = await streamA.waitForEvents(1);
    const [eventB] = await streamB.waitForEvents(1);
    expect(eventA).toEqual({
      tenant_id: a.tenantId,
      event_type: 'customer.subscription.updated',
      stripe_event_id: expect.stringMatching(/^evt_stream_/),
      occurred_at: '2025-11-07T10:00:00+00:00',
      summary: 'Subscription active',
      status: 'active',
      subscription: null,
      invoice: null,
      usage: [],
      event_id: idA,
    });
    expect(eventB).toMatchObject({ tenant_id: b.tenantId, status: 'past_due', event_id: idB });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(streamA.events).toHaveLength(1);
    expect(streamB.events).toHaveLength(1);
    const frame = streamA.frames.find((f) => f.startsWith('data: '));
    expect(frame).toContain(`{"tenant_id": "${a.tenantId}", "event_type": `);
    expect(frame?.split('\n')).toHaveLength(1);
  });

  it('replays history, then resumes after Last-Event-ID (header or query) without repeats', async () => {
    const owner = await createTestUser(app1, { role: 'owner' });
    const first = await publish(app1, owner.tenantId, 'trialing');
    const second = await publish(app1, owner.tenantId, 'active');

    const fresh = await connect(app1, owner);
    const history = await fresh.waitForEvents(2);
    expect(history.map((e) => e.event_id)).toEqual([first, second]);
    const third = await publish(app1, owner.tenantId, 'past_due');
    await fresh.waitForEvents(3);
    fresh.close();

    const fourth = await publish(app1, owner.tenantId, 'active');
    const resumed = await connect(app1, owner, { lastEventId: second });
    const replayed = await resumed.waitForEvents(2);
    expect(replayed.map((e) => e.event_id)).toEqual([third, fourth]);
    const fifth = await publish(app1, owner.tenantId, 'canceled');
    await resumed.waitForEvents(3);
    expect(resumed.events.map((e) => e.event_id)).toEqual([third, fourth, fifth]);

    const byQuery = await connect(app1, owner, {
      query: `?last_event_id=${encodeURIComponent(fourth)}`,
    });
    await byQuery.waitForEvents(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(byQuery.events.map((e) => e.event_id)).toEqual([fifth]);
  });

  it('serves a subscriber on one instance with events published by another', async () => {
    // The tenant lives in app2's database; app1 only publishes to the shared Redis.
    const owner = await createTestUser(app2, { role: 'admin' });
    const onApp2 = await connect(app2, owner);
    expect(onApp2.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const id = await publish(app1, owner.tenantId, 'active');
    const [event] = await onApp2.waitForEvents(1);
    expect(event).toMatchObject({ tenant_id: owner.tenantId, event_id: id });
  });

  it('keeps concurrent streams per tenant at the limit: a new one evicts the oldest', async () => {
    const owner = await createTestUser(app1, { role: 'owner' });
    const streams = [
      await connect(app1, owner),
      await connect(app1, owner),
      await connect(app1, owner),
    ];
    expect(streams.map((s) => s.status)).toEqual([200, 200, 200]);
    const fourth = await connect(app1, owner);
    expect(fourth.status).toBe(200);
    await streams[0].ended;
    expect(streams[0].frames[streams[0].frames.length - 1]).toBe(
      ': evicted: a newer stream took this slot (billing_stream_concurrency)',
    );
    const key = `rate-limit:concurrency:billing_stream_concurrency:${owner.tenantId}`;
    expect(await app1.redis.client.zcard(key)).toBe(3);
    const id = await publish(app1, owner.tenantId, 'active');
    for (const live of [streams[1], streams[2], fourth]) {
      expect((await live.waitForEvents(1))[0]).toMatchObject({ event_id: id });
    }
    expect(streams[0].events).toHaveLength(0);
  });

  it('requires authentication', async () => {
    const response = await fetch(`${app1.url}/api/v1/billing/stream`);
    expect(response.status).toBe(401);
  });
});

describe('billing SSE stream switched off', () => {
  let stripe: StripeFake;
  let t: TestApp;

  beforeAll(async () => {
    stripe = await startBillingStripeFake();
    t = await startTestApp({ env: billingEnv(stripe, { ENABLE_BILLING_STREAM: 'false' }) });
  });

  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  it('answers 503 after authentication', async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const response = await t.http
      .get('/api/v1/billing/stream')
      .set('Authorization', owner.authorization)
      .expect(503);
    expect(response.body).toMatchObject({
      error: 'Billing stream is disabled.',
      code: 'billing_stream_disabled',
    });
  });
});
