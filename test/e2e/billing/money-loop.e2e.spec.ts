import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MeterOutboxWorker,
  meterIdentifierOf,
} from '../../../src/modules/billing/usage/meter-outbox.worker';
import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import {
  startOpenAIFake,
  type OpenAIFake,
  type StripeFake,
  type StripeFakeEvent,
} from '../../support/fakes';
import {
  newRedisKeyPrefix,
  startTestApp,
  usingRealPostgres,
  type TestApp,
} from '../../support/test-app';
import { settled, subscriptionOf } from '../webhooks/webhook-kit';
import {
  billingEnv,
  PRICE_MAP,
  startBillingStripeFake,
  waitFor,
  WEBHOOK_SECRET,
} from './billing-kit';

const APP = 'https://app.example.com';
const URLS = { success_url: `${APP}/billing/done`, cancel_url: `${APP}/billing` };
/** Pro's seeded chat-token limit (migration 1764100800000-billing-plan-quotas). */
const PRO_TOKENS = 5_000_000;
const FREE_TURN = { input_tokens: 15, output_tokens: 5 };
const PRO_TURN = { input_tokens: 1_999_990, output_tokens: 10 };

interface UsageRow {
  id: string;
  source_id: string;
  quantity: string;
  meter_state: string;
}

/**
 * The whole money loop of docs/billing.md on two replicas sharing Postgres and Redis: an owner
 * pays through Checkout (the Stripe fake completes the session and delivers its signed webhooks)
 * -> the subscription is live -> entitlements show the plan on both replicas -> chat turns
 * consume the plan's quota, web search is offered to the model, the turn past the quota is
 * refused before the model -> every turn reaches Stripe's meters exactly once although the
 * worker that held the batch dies mid-batch and two replicas then drain it together -> the
 * portal session URL is returned. The apps' own meter loops stay off (every test app shares the
 * database): the replicas poll for this test's tenant.
 */
(usingRealPostgres() ? describe : describe.skip)('the money loop, end to end', () => {
  let stripe: StripeFake;
  let openai: OpenAIFake;
  let env: Record<string, string | undefined>;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    [stripe, openai] = await Promise.all([startBillingStripeFake(), startOpenAIFake()]);
    env = billingEnv(stripe, {
      REDIS_KEY_PREFIX: newRedisKeyPrefix(),
      // One keyset for both replicas, so a token issued by one is honoured by the other.
      AUTH_KEY_STORAGE_PATH: join(mkdtempSync(join(tmpdir(), 'aa-loop-keys-')), 'keyset.json'),
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: openai.baseURL,
      TAVILY_API_KEY: 'tvly-test',
      BILLING_REDIRECT_ALLOWED_ORIGINS: APP,
      BILLING_ENTITLEMENTS_CACHE_SECONDS: '300',
      BILLING_METER_LEASE_SECONDS: '1',
      STRIPE_MAX_NETWORK_RETRIES: '0',
      STRIPE_METER_EVENT_MAP: '{"chat_tokens":"aa_chat_tokens"}',
    });
    // One after the other: the first creates the shared keyset, the second loads it (started
    // together, each could create its own and one replica would refuse the other's tokens).
    a = await startTestApp({ env });
    b = await startTestApp({ env });
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await Promise.all([stripe?.close(), openai?.close()]);
  });

  const base = (tenantId: string) => `/api/v1/billing/tenants/${tenantId}`;
  const entitlements = (t: TestApp, user: TestUser) =>
    t.http.get(`${base(user.tenantId)}/entitlements`).set('Authorization', user.authorization);
  const chat = (t: TestApp, user: TestUser, message: string) =>
    t.http.post('/api/v1/chat').set('Authorization', user.authorization).send({ message });
  const offeredTools = () => JSON.stringify(openai.modelRequests().at(-1)?.body.tools ?? []);
  const usageRows = (tenantId: string): Promise<UsageRow[]> =>
    a.dataSource.query(
      `SELECT id, source_id, quantity::text, meter_state FROM usage_events
        WHERE tenant_id = $1 ORDER BY occurred_at, source_id`,
      [tenantId],
    );

  /** Delivers a fake-emitted event to replica `t`'s webhook route, signed, and waits for it. */
  async function deliver(t: TestApp, event: StripeFakeEvent): Promise<void> {
    const delivery = await stripe.deliverEvent(event, {
      url: `${t.url}/webhooks/stripe`,
      secret: WEBHOOK_SECRET,
    });
    expect(delivery.status).toBe(202);
    await settled(t, event.id);
  }

  /** A trigger failing every UPDATE of one tenant's usage rows: the worker's next write dies. */
  async function breakUsageWrites(tenantId: string): Promise<() => Promise<void>> {
    const name = `loop_fail_${tenantId.replace(/-/g, '').slice(0, 12)}`;
    await a.dataSource.query(
      `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.tenant_id = '${tenantId}' THEN RAISE EXCEPTION 'worker died'; END IF;
         RETURN NEW;
       END $$`,
    );
    await a.dataSource.query(
      `CREATE TRIGGER ${name} BEFORE UPDATE OF meter_state, attempts ON usage_events
         FOR EACH ROW EXECUTE FUNCTION ${name}()`,
    );
    return async () => {
      await a.dataSource.query(`DROP TRIGGER IF EXISTS ${name} ON usage_events`);
      await a.dataSource.query(`DROP FUNCTION IF EXISTS ${name}()`);
    };
  }

  it('checkout -> paid -> entitlements -> quota consumed and enforced -> metered once -> portal', async () => {
    const owner = await createTestUser(a, { role: 'owner' });

    // Free tier first: no web search offered, the turn is stored and counted.
    openai.enqueueText('Free answer.', { usage: FREE_TURN });
    await chat(a, owner, 'hello').expect(200);
    expect(offeredTools()).not.toContain('tavily_search_tool');
    // Both replicas cache the free tier (300 s: only an invalidation can change it).
    for (const t of [a, b]) {
      expect((await entitlements(t, owner).expect(200)).body.source).toBe('free_tier');
    }

    // 1. Checkout: the fake records price, customer, metadata and idempotency key.
    const created = await a.http
      .post(`${base(owner.tenantId)}/checkout-sessions`)
      .set('Authorization', owner.authorization)
      .set('Idempotency-Key', 'upgrade-click-1')
      .send({ plan_code: 'pro', ...URLS })
      .expect(201);
    const sessionId = created.body.id as string;
    expect(created.body.url).toBe(`https://checkout.stripe.com/c/pay/${sessionId}`);
    const [customer] = stripe.customers().filter((c) => c.metadata.tenant_id === owner.tenantId);
    const [call] = stripe
      .requestsTo('POST', '/v1/checkout/sessions')
      .filter((r) => r.params.client_reference_id === owner.tenantId);
    expect(call.params).toMatchObject({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: PRICE_MAP.pro, quantity: '1' }],
      metadata: { tenant_id: owner.tenantId, plan_code: 'pro' },
    });
    expect(call.idempotencyKey).toMatch(new RegExp(`^aa:checkout:create:${owner.tenantId}:c`));

    // 2. The customer pays: the fake completes the session; its signed webhooks reach replica b.
    const completion = stripe.completeCheckoutSession(sessionId);
    await deliver(b, completion.subscriptionCreated);
    await deliver(b, completion.checkoutCompleted);
    expect(await subscriptionOf(a, owner.tenantId)).toMatchObject({
      plan_code: 'pro',
      status: completion.subscription.status,
      processor_subscription_id: completion.subscription.id,
      processor_customer_id: customer.id,
    });
    expect(['trialing', 'active']).toContain(completion.subscription.status);

    // 3. Entitlements show the plan on both replicas (replica a heard b's invalidation). The
    // plan's period starts when the subscription does: the free-tier turn counts only if it
    // fell in the same second.
    const baselines: number[] = [];
    for (const t of [a, b]) {
      const shown = await waitFor(async () => {
        const response = await entitlements(t, owner).expect(200);
        return response.body.source === 'plan' ? response.body : null;
      }, 5_000);
      expect(shown).toMatchObject({
        plan_code: 'pro',
        subscription_status: completion.subscription.status,
        features: { enable_web_search: true },
        limits: { chat_tokens: PRO_TOKENS },
      });
      baselines.push((shown as { consumption: { chat_tokens: number } }).consumption.chat_tokens);
    }
    expect([
      [0, 0],
      [20, 20],
    ]).toContainEqual(baselines);

    // 4. Chat consumes the quota (2M tokens a turn) on either replica, with web search offered.
    const messageIds: string[] = [];
    for (const [i, t] of [a, b, a].entries()) {
      openai.enqueueText(`Pro answer ${i}.`, { usage: PRO_TURN });
      const response = await chat(t, owner, `question ${i}`).expect(200);
      messageIds.push(String(response.body.metadata.message_id));
      expect(offeredTools()).toContain('tavily_search_tool');
    }
    const used = baselines[0] + 3 * 2_000_000;
    const callsBefore = openai.modelRequests().length;
    const refused = await chat(b, owner, 'one more').expect(402);
    expect(refused.body).toMatchObject({
      success: false,
      code: 'quota_exceeded',
      details: { feature: 'chat_tokens', limit: PRO_TOKENS, used },
    });
    expect(openai.modelRequests()).toHaveLength(callsBefore);
    expect((await entitlements(a, owner).expect(200)).body.consumption).toEqual({
      chat_tokens: used,
    });

    // 5. Metering: four turns, four usage rows, nothing sent on the request path.
    const rows = await usageRows(owner.tenantId);
    expect(rows.map((row) => row.quantity)).toEqual(['20', '2000000', '2000000', '2000000']);
    expect(rows.slice(1).map((row) => row.source_id)).toEqual(messageIds);
    const identifiers = rows.map((row) =>
      meterIdentifierOf({
        tenantId: owner.tenantId,
        featureKey: 'chat_tokens',
        sourceType: 'chat_message',
        sourceId: row.source_id,
      }),
    );
    const meterCalls = () =>
      stripe
        .requestsTo('POST', '/v1/billing/meter_events')
        .filter((r) => identifiers.includes(r.params.identifier as string));
    expect(meterCalls()).toHaveLength(0);

    // Replica a's worker claims the batch, Stripe accepts the first event, and the worker dies
    // writing that down: the first event is in Stripe, the other three were never sent.
    const restore = await breakUsageWrites(owner.tenantId);
    try {
      await expect(
        a.app.get(MeterOutboxWorker).poll({ tenantIds: [owner.tenantId] }),
      ).rejects.toThrow();
    } finally {
      await restore();
    }
    expect(meterCalls().map((r) => r.params.identifier)).toEqual([identifiers[0]]);
    expect((await usageRows(owner.tenantId)).map((row) => row.meter_state)).toEqual(
      Array(4).fill('pending'),
    );

    // Replica a restarts; once the dead worker's lease lapsed, both replicas drain together.
    await a.close();
    a = await startTestApp({ env });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const drain = async (t: TestApp) => {
      while (await t.app.get(MeterOutboxWorker).poll({ tenantIds: [owner.tenantId] }));
    };
    await Promise.all([drain(a), drain(b)]);

    const events = stripe.meterEvents().filter((e) => identifiers.includes(e.identifier));
    expect(events.map((e) => [e.identifier, e.event_name, e.payload.value])).toEqual(
      rows.map((row, i) => [identifiers[i], 'aa_chat_tokens', row.quantity]),
    );
    expect(events.every((e) => e.payload.stripe_customer_id === customer.id)).toBe(true);
    // The first event was sent again after the crash and Stripe refused the duplicate: sent.
    const perIdentifier = identifiers.map(
      (id) => meterCalls().filter((r) => r.params.identifier === id).length,
    );
    expect(perIdentifier).toEqual([2, 1, 1, 1]);
    expect((await usageRows(owner.tenantId)).map((row) => row.meter_state)).toEqual(
      Array(4).fill('sent'),
    );

    // 6. The Customer Portal for managing the plan and card.
    const portal = await b.http
      .post(`${base(owner.tenantId)}/portal-sessions`)
      .set('Authorization', owner.authorization)
      .send({ return_url: `${APP}/settings/billing` })
      .expect(201);
    const [session] = stripe.portalSessions().filter((s) => s.customer === customer.id);
    expect(portal.body).toEqual({ id: session.id, url: session.url });
    expect(session.return_url).toBe(`${APP}/settings/billing`);
  });
});
