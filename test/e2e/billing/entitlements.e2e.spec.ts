import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import { startOpenAIFake, type OpenAIFake, type StripeFake } from '../../support/fakes';
import { newRedisKeyPrefix, startTestApp, type TestApp } from '../../support/test-app';
import { billingEnv, startBillingStripeFake, waitFor } from './billing-kit';

/**
 * Plan entitlements (issue 14): what a tenant may do now, from its plan and subscription
 * status, enforced on chat before the model is called (quota_exceeded, web search offered only
 * on plans that enable it), cached per replica and invalidated on every replica when the
 * subscription changes. Two app instances share the database and Redis (two replicas).
 */
const TURN_TOKENS = { input_tokens: 12, output_tokens: 8 };
const FREE_TOKENS = 50;

describe('plan entitlements', () => {
  let stripe: StripeFake;
  let openai: OpenAIFake;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    stripe = await startBillingStripeFake();
    openai = await startOpenAIFake();
    const env = billingEnv(stripe, {
      REDIS_KEY_PREFIX: newRedisKeyPrefix(),
      // One keyset for both replicas, so a token issued by one is honoured by the other.
      AUTH_KEY_STORAGE_PATH: join(mkdtempSync(join(tmpdir(), 'aa-ent-keys-')), 'keyset.json'),
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: openai.baseURL,
      // Web search is configured; only the plan decides whether the model sees it.
      TAVILY_API_KEY: 'tvly-test',
      BILLING_FREE_TIER_CHAT_TOKENS: String(FREE_TOKENS),
      BILLING_ENTITLEMENTS_CACHE_SECONDS: '300',
    });
    a = await startTestApp({ env });
    b = await startTestApp({ env });
    openai.setResponder(() => ({ type: 'text', text: 'ok', usage: TURN_TOKENS }));
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await openai?.close();
    await stripe?.close();
  });

  const entitlements = (t: TestApp, user: TestUser) =>
    t.http
      .get(`/api/v1/billing/tenants/${user.tenantId}/entitlements`)
      .set('Authorization', user.authorization);
  const chat = (t: TestApp, user: TestUser) =>
    t.http.post('/api/v1/chat').set('Authorization', user.authorization).send({ message: 'hi' });
  const offeredTools = () => JSON.stringify(openai.modelRequests().at(-1)?.body.tools ?? []);

  it('a tenant without a subscription gets the free tier: its quota, no web search', async () => {
    const owner = await createTestUser(a, { role: 'owner' });
    const before = await entitlements(a, owner).expect(200);
    expect(before.body).toMatchObject({
      tenant_id: owner.tenantId,
      source: 'free_tier',
      plan_code: null,
      subscription_status: null,
      features: {},
      limits: { chat_tokens: FREE_TOKENS, seats: null },
      consumption: { chat_tokens: 0 },
    });
    const { start, end } = before.body.period as { start: string; end: string };
    expect(new Date(start).getUTCDate()).toBe(1);
    expect(new Date(end).getTime()).toBeGreaterThan(Date.now());

    // 20 tokens a turn: 0 and 20 and 40 used are under 50, the fourth turn (60 used) is refused.
    for (let turn = 0; turn < 3; turn += 1) {
      await chat(turn % 2 === 0 ? a : b, owner).expect(200);
      expect(offeredTools()).not.toContain('tavily_search_tool');
    }
    const callsBefore = openai.modelRequests().length;
    // The counter is shared: the replica that served none of the last turns refuses too.
    const refused = await chat(b, owner).expect(402);
    expect(refused.body).toMatchObject({
      success: false,
      code: 'quota_exceeded',
      message: 'Chat quota exceeded for the current billing period.',
      details: { feature: 'chat_tokens', limit: FREE_TOKENS, used: 60, period_end: end },
    });
    expect(refused.body.request_id).toEqual(expect.any(String));
    // Refused before the model was called, and no conversation or message was written.
    expect(openai.modelRequests()).toHaveLength(callsBefore);
    const stream = await b.http
      .post('/api/v1/chat/stream')
      .set('Authorization', owner.authorization)
      .send({ message: 'hi' })
      .expect(402);
    expect(stream.body.code).toBe('quota_exceeded');

    const after = await entitlements(b, owner).expect(200);
    expect(after.body.consumption).toEqual({ chat_tokens: 60 });
    const [{ n }] = await a.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM agent_messages m
         JOIN agent_conversations c ON c.id = m.conversation_id
        WHERE c.tenant_id = $1 AND m.role = 'assistant'`,
      [owner.tenantId],
    );
    expect(n).toBe(3);
  });

  it('a Pro subscription lifts the quota and offers web search, on every replica at once', async () => {
    const owner = await createTestUser(a, { role: 'owner' });
    // Both replicas cache the free tier first (a 300 s cache: only invalidation can change it).
    expect((await entitlements(a, owner).expect(200)).body.source).toBe('free_tier');
    expect((await entitlements(b, owner).expect(200)).body.source).toBe('free_tier');

    await a.http
      .post(`/api/v1/billing/tenants/${owner.tenantId}/subscription`)
      .set('Authorization', owner.authorization)
      .send({ plan_code: 'pro', billing_email: 'pay@example.com', seat_count: 3 })
      .expect(201);

    const onB = await waitFor(async () => {
      const response = await entitlements(b, owner).expect(200);
      return response.body.source === 'plan' ? response.body : null;
    }, 5_000);
    expect(onB).toMatchObject({
      plan_code: 'pro',
      subscription_status: expect.stringMatching(/^(trialing|active)$/),
      features: { enable_web_search: true },
      limits: { chat_tokens: 5_000_000, seats: 3 },
    });
    await chat(b, owner).expect(200);
    expect(offeredTools()).toContain('tavily_search_tool');
  });

  it('a Starter subscription keeps web search off', async () => {
    const owner = await createTestUser(a, { role: 'owner' });
    await a.http
      .post(`/api/v1/billing/tenants/${owner.tenantId}/subscription`)
      .set('Authorization', owner.authorization)
      .send({ plan_code: 'starter', billing_email: 'pay@example.com' })
      .expect(201);
    const response = await entitlements(a, owner).expect(200);
    expect(response.body).toMatchObject({
      source: 'plan',
      plan_code: 'starter',
      features: { enable_web_search: false },
      limits: { chat_tokens: 200_000 },
    });
    await chat(a, owner).expect(200);
    expect(offeredTools()).not.toContain('tavily_search_tool');
  });

  it('members may read entitlements; another tenant’s are refused like every billing route (403)', async () => {
    const owner = await createTestUser(a, { role: 'owner' });
    const viewer = await createTestUser(a, { role: 'viewer', tenantId: owner.tenantId });
    await entitlements(a, viewer).expect(200);
    const stranger = await createTestUser(a, { role: 'owner' });
    const foreign = await a.http
      .get(`/api/v1/billing/tenants/${owner.tenantId}/entitlements`)
      .set('Authorization', stranger.authorization)
      .expect(403);
    expect(foreign.body.success).toBe(false);
  });
});
