import { randomUUID } from 'node:crypto';
import { serviceAccountAccessClaims } from '../../../src/modules/auth/service-accounts/service-account-claims';
import { TokenService } from '../../../src/modules/auth/tokens/token.service';
import { AppConfig } from '../../../src/platform/config/app-config';
import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import { startOpenAIFake, type OpenAIFake, type StripeFake } from '../../support/fakes';
import { expectErrorEnvelope } from '../../support/robustness/envelope';
import { startTestApp, type TestApp } from '../../support/test-app';
import { createPasswordUser, FAST_AUTH_ENV, loginAs } from '../auth/auth-e2e-helpers';
import { billingEnv, startBillingStripeFake } from '../billing/billing-kit';

/**
 * Issue 10, tenancy matrix. Tenant A: Alice (owner, with a subscription, usage, a conversation
 * and a session), Avery (viewer) and Casey (member). Tenant B: Mallory (owner) and a service
 * account. Every attempt on A's resources from outside A answers what the contract says (404
 * for per-user resources, decision C1 and sessions; 403 `tenant_mismatch` for tenant-scoped
 * billing paths), every role check inside A a 403, always in the error envelope, never with A's
 * data, and nothing of A's changes. Positive rows (Alice, Avery reading) show the leak check can
 * fail.
 */
type Actor = 'alice' | 'avery' | 'casey' | 'mallory' | 'serviceB';

interface World {
  authorization: Record<Actor, string>;
  tenantA: string;
  tenantB: string;
  aliceUserId: string;
  aliceEmail: string;
  alicePassword: string;
  aliceSessionId: string;
  aliceRefresh: string;
  conversationId: string;
  /** Strings that are A's data: none may appear in a refused answer. */
  secrets: string[];
}

interface Row {
  actor: Actor;
  method: 'get' | 'post' | 'patch' | 'delete';
  path: (w: World) => string;
  body?: (w: World) => Record<string, unknown>;
  headers?: (w: World) => Record<string, string>;
  status: number;
  code?: string;
}

const billing = (w: World, tail: string) => `/api/v1/billing/tenants/${w.tenantA}/${tail}`;
const conversation = (w: World) => `/api/v1/conversations/${w.conversationId}`;
const NEW_PASSWORD = 'Quartz-Meadow-Tundra-97';

const DENIED: [string, Row][] = [
  // Another tenant's owner
  [
    "mallory reads A's conversation",
    {
      actor: 'mallory',
      method: 'get',
      path: conversation,
      status: 404,
      code: 'conversation_not_found',
    },
  ],
  [
    "mallory deletes A's conversation",
    {
      actor: 'mallory',
      method: 'delete',
      path: conversation,
      status: 404,
      code: 'conversation_not_found',
    },
  ],
  [
    "mallory reads A's subscription",
    {
      actor: 'mallory',
      method: 'get',
      path: (w) => billing(w, 'subscription'),
      status: 403,
      code: 'tenant_mismatch',
    },
  ],
  [
    'mallory starts a subscription for A',
    {
      actor: 'mallory',
      method: 'post',
      path: (w) => billing(w, 'subscription'),
      body: () => ({ plan_code: 'pro' }),
      status: 403,
      code: 'tenant_mismatch',
    },
  ],
  [
    "mallory changes A's subscription",
    {
      actor: 'mallory',
      method: 'patch',
      path: (w) => billing(w, 'subscription'),
      body: () => ({ seat_count: 9 }),
      status: 403,
      code: 'tenant_mismatch',
    },
  ],
  [
    "mallory cancels A's subscription",
    {
      actor: 'mallory',
      method: 'post',
      path: (w) => billing(w, 'subscription/cancel'),
      body: () => ({}),
      status: 403,
      code: 'tenant_mismatch',
    },
  ],
  [
    'mallory records usage for A',
    {
      actor: 'mallory',
      method: 'post',
      path: (w) => billing(w, 'usage'),
      body: () => ({ feature_key: 'messages', quantity: 1 }),
      status: 403,
      code: 'tenant_mismatch',
    },
  ],
  [
    "mallory reads A's usage",
    {
      actor: 'mallory',
      method: 'get',
      path: (w) => billing(w, 'usage'),
      status: 403,
      code: 'tenant_mismatch',
    },
  ],
  [
    "mallory reads A's invoices",
    {
      actor: 'mallory',
      method: 'get',
      path: (w) => billing(w, 'invoices'),
      status: 403,
      code: 'tenant_mismatch',
    },
  ],
  [
    "mallory names A in X-Tenant-Id on her own tenant's path",
    {
      actor: 'mallory',
      method: 'get',
      path: (w) => `/api/v1/billing/tenants/${w.tenantB}/subscription`,
      headers: (w) => ({ 'X-Tenant-Id': w.tenantA }),
      status: 403,
      code: 'tenant_mismatch',
    },
  ],
  [
    "mallory opens A's billing stream via X-Tenant-Id",
    {
      actor: 'mallory',
      method: 'get',
      path: () => '/api/v1/billing/stream',
      headers: (w) => ({ 'X-Tenant-Id': w.tenantA }),
      status: 403,
      code: 'tenant_mismatch',
    },
  ],
  [
    "mallory revokes Alice's session",
    {
      actor: 'mallory',
      method: 'delete',
      path: (w) => `/api/v1/auth/sessions/${w.aliceSessionId}`,
      status: 404,
      code: 'session_not_found',
    },
  ],
  [
    "mallory logs out Alice's refresh token",
    {
      actor: 'mallory',
      method: 'post',
      path: () => '/api/v1/auth/logout',
      body: (w) => ({ refresh_token: w.aliceRefresh }),
      status: 403,
      code: 'logout_forbidden',
    },
  ],
  [
    "mallory resets Alice's password",
    {
      actor: 'mallory',
      method: 'post',
      path: () => '/api/v1/auth/password/reset',
      body: (w) => ({ user_id: w.aliceUserId, new_password: NEW_PASSWORD }),
      status: 404,
      code: 'tenant_membership_missing',
    },
  ],
  // Another tenant's service account
  [
    "B's service account reads A's subscription",
    {
      actor: 'serviceB',
      method: 'get',
      path: (w) => billing(w, 'subscription'),
      status: 403,
      code: 'tenant_mismatch',
    },
  ],
  [
    "B's service account records usage for A",
    {
      actor: 'serviceB',
      method: 'post',
      path: (w) => billing(w, 'usage'),
      body: () => ({ feature_key: 'messages', quantity: 1 }),
      status: 403,
      code: 'tenant_mismatch',
    },
  ],
  [
    "B's service account reads A's invoices",
    {
      actor: 'serviceB',
      method: 'get',
      path: (w) => billing(w, 'invoices'),
      status: 403,
      code: 'tenant_mismatch',
    },
  ],
  [
    // Service accounts own conversations of their own (decision C12): A's is not among them.
    "B's service account reads A's conversation",
    {
      actor: 'serviceB',
      method: 'get',
      path: conversation,
      status: 404,
      code: 'conversation_not_found',
    },
  ],
  // A viewer of the same tenant
  [
    "avery (viewer) reads Alice's conversation",
    {
      actor: 'avery',
      method: 'get',
      path: conversation,
      status: 404,
      code: 'conversation_not_found',
    },
  ],
  [
    "avery (viewer) deletes Alice's conversation",
    {
      actor: 'avery',
      method: 'delete',
      path: conversation,
      status: 403,
      code: 'insufficient_scope',
    },
  ],
  [
    'avery (viewer) starts a subscription',
    {
      actor: 'avery',
      method: 'post',
      path: (w) => billing(w, 'subscription'),
      body: () => ({ plan_code: 'pro' }),
      status: 403,
      code: 'insufficient_tenant_role',
    },
  ],
  [
    'avery (viewer) changes the subscription',
    {
      actor: 'avery',
      method: 'patch',
      path: (w) => billing(w, 'subscription'),
      body: () => ({ seat_count: 9 }),
      status: 403,
      code: 'insufficient_tenant_role',
    },
  ],
  [
    'avery (viewer) cancels the subscription',
    {
      actor: 'avery',
      method: 'post',
      path: (w) => billing(w, 'subscription/cancel'),
      body: () => ({}),
      status: 403,
      code: 'insufficient_tenant_role',
    },
  ],
  [
    'avery (viewer) records usage',
    {
      actor: 'avery',
      method: 'post',
      path: (w) => billing(w, 'usage'),
      body: () => ({ feature_key: 'messages', quantity: 1 }),
      status: 403,
      code: 'insufficient_tenant_role',
    },
  ],
  [
    'avery (viewer) claims X-Tenant-Role owner to record usage',
    {
      actor: 'avery',
      method: 'post',
      path: (w) => billing(w, 'usage'),
      body: () => ({ feature_key: 'messages', quantity: 1 }),
      headers: () => ({ 'X-Tenant-Role': 'owner' }),
      status: 403,
      code: 'tenant_role_escalation',
    },
  ],
  [
    'avery (viewer) chats',
    {
      actor: 'avery',
      method: 'post',
      path: () => '/api/v1/chat',
      body: () => ({ message: 'hi' }),
      status: 403,
      code: 'insufficient_scope',
    },
  ],
  [
    "avery (viewer) resets Alice's password",
    {
      actor: 'avery',
      method: 'post',
      path: () => '/api/v1/auth/password/reset',
      body: (w) => ({ user_id: w.aliceUserId, new_password: NEW_PASSWORD }),
      status: 403,
      code: 'insufficient_scope',
    },
  ],
  [
    "avery (viewer) revokes Alice's session",
    {
      actor: 'avery',
      method: 'delete',
      path: (w) => `/api/v1/auth/sessions/${w.aliceSessionId}`,
      status: 404,
      code: 'session_not_found',
    },
  ],
  [
    "avery (viewer) logs out Alice's refresh token",
    {
      actor: 'avery',
      method: 'post',
      path: () => '/api/v1/auth/logout',
      body: (w) => ({ refresh_token: w.aliceRefresh }),
      status: 403,
      code: 'logout_forbidden',
    },
  ],
  // A member of the same tenant
  [
    "casey (member) reads Alice's conversation",
    {
      actor: 'casey',
      method: 'get',
      path: conversation,
      status: 404,
      code: 'conversation_not_found',
    },
  ],
  [
    "casey (member) deletes Alice's conversation",
    {
      actor: 'casey',
      method: 'delete',
      path: conversation,
      status: 403,
      code: 'insufficient_scope',
    },
  ],
  [
    'casey (member) records usage',
    {
      actor: 'casey',
      method: 'post',
      path: (w) => billing(w, 'usage'),
      body: () => ({ feature_key: 'messages', quantity: 1 }),
      status: 403,
      code: 'insufficient_tenant_role',
    },
  ],
  [
    'casey (member) cancels the subscription',
    {
      actor: 'casey',
      method: 'post',
      path: (w) => billing(w, 'subscription/cancel'),
      body: () => ({}),
      status: 403,
      code: 'insufficient_tenant_role',
    },
  ],
  [
    "casey (member) resets Alice's password",
    {
      actor: 'casey',
      method: 'post',
      path: () => '/api/v1/auth/password/reset',
      body: (w) => ({ user_id: w.aliceUserId, new_password: NEW_PASSWORD }),
      status: 403,
      code: 'insufficient_scope',
    },
  ],
];

/** Allowed reads: the same checks with the opposite outcome (the data is there to leak). */
const ALLOWED: [string, Row & { shows: (w: World) => string }][] = [
  [
    'alice reads her conversation',
    { actor: 'alice', method: 'get', path: conversation, status: 200, shows: (w) => w.secrets[0] },
  ],
  [
    'alice reads her subscription',
    {
      actor: 'alice',
      method: 'get',
      path: (w) => billing(w, 'subscription'),
      status: 200,
      shows: (w) => w.secrets[1],
    },
  ],
  [
    'avery (viewer) reads the tenant subscription',
    {
      actor: 'avery',
      method: 'get',
      path: (w) => billing(w, 'subscription'),
      status: 200,
      shows: (w) => w.secrets[1],
    },
  ],
  [
    'alice lists her sessions',
    {
      actor: 'alice',
      method: 'get',
      path: () => '/api/v1/auth/sessions',
      status: 200,
      shows: (w) => w.aliceSessionId,
    },
  ],
];

describe('tenancy matrix', () => {
  let t: TestApp;
  let openai: OpenAIFake;
  let stripe: StripeFake;
  const w = { authorization: {} } as World;

  beforeAll(async () => {
    openai = await startOpenAIFake();
    stripe = await startBillingStripeFake();
    t = await startTestApp({
      env: {
        ...billingEnv(stripe),
        ...FAST_AUTH_ENV,
        OPENAI_API_KEY: 'sk-tenancy',
        OPENAI_BASE_URL: openai.baseURL,
        TRUSTED_PROXIES: '127.0.0.1',
      },
    });
    const alice = await createPasswordUser(t, { role: 'owner' });
    const login = await loginAs(
      t,
      { email: alice.email, password: alice.password },
      '198.51.100.31',
    ).expect(200);
    Object.assign(w, {
      tenantA: alice.tenantId,
      aliceUserId: alice.userId,
      aliceEmail: alice.email,
      alicePassword: alice.password,
      aliceSessionId: login.body.session_id,
      aliceRefresh: login.body.refresh_token,
    });
    const avery: TestUser = await createTestUser(t, { role: 'viewer', tenantId: alice.tenantId });
    const casey: TestUser = await createTestUser(t, { role: 'member', tenantId: alice.tenantId });
    const mallory: TestUser = await createTestUser(t, { role: 'owner' });
    w.tenantB = mallory.tenantId;
    const serviceToken = await t.app.get(TokenService).sign(
      serviceAccountAccessClaims({
        account: 'analytics-bot',
        jti: randomUUID(),
        scopes: ['billing:read', 'billing:manage', 'conversations:read'],
        tenantId: mallory.tenantId,
        audience: t.app.get(AppConfig).AUTH_AUDIENCE,
      }),
      600,
    );
    w.authorization = {
      alice: `Bearer ${login.body.access_token}`,
      avery: avery.authorization,
      casey: casey.authorization,
      mallory: mallory.authorization,
      serviceB: `Bearer ${serviceToken.token}`,
    };

    const marker = `pelican-${randomUUID().slice(0, 8)}`;
    const billingEmail = `alice-billing-${randomUUID().slice(0, 8)}@example.test`;
    await t.http
      .post(billing(w, 'subscription'))
      .set('Authorization', w.authorization.alice)
      .send({ plan_code: 'starter', billing_email: billingEmail, seat_count: 3 })
      .expect(201);
    await t.http
      .post(billing(w, 'usage'))
      .set('Authorization', w.authorization.alice)
      .send({ feature_key: 'messages', quantity: 7 })
      .expect(202);
    openai.enqueueText('Noted.');
    const chat = await t.http
      .post('/api/v1/chat')
      .set('Authorization', w.authorization.alice)
      .send({
        message: `Remember the ${marker} plan.`,
        conversation_id: `alice-plans-${randomUUID().slice(0, 4)}`,
      })
      .expect(200);
    w.conversationId = chat.body.conversation_id;
    w.secrets = [marker, billingEmail, alice.email, alice.userId, login.body.session_id];
  });

  afterAll(async () => {
    await t?.close();
    await openai?.close();
    await stripe?.close();
  });

  const send = (row: Row) => {
    const request = t.http[row.method](row.path(w)).set(
      'Authorization',
      w.authorization[row.actor],
    );
    for (const [name, value] of Object.entries(row.headers?.(w) ?? {})) request.set(name, value);
    return row.body ? request.send(row.body(w)) : request;
  };

  it.each(DENIED)("%s: refused in the envelope, with none of A's data", async (_label, row) => {
    const response = await send(row);
    expect({ status: response.status, code: response.body?.code }).toEqual({
      status: row.status,
      code: row.code,
    });
    expectErrorEnvelope(response);
    for (const secret of w.secrets) expect(response.text).not.toContain(secret);
  });

  it.each(ALLOWED)('%s: allowed, and the data is there', async (_label, row) => {
    const response = await send(row);
    expect(response.status).toBe(row.status);
    expect(response.text).toContain(row.shows(w));
  });

  it.each([
    ['mallory', '/api/v1/conversations'],
    ['avery', '/api/v1/conversations'],
    ['casey', '/api/v1/conversations'],
    ['mallory', '/api/v1/auth/sessions'],
  ] as [Actor, string][])("%s listing %s sees none of A's data", async (actor, path) => {
    const response = await t.http
      .get(path)
      .set('Authorization', w.authorization[actor])
      .expect(200);
    for (const secret of w.secrets) expect(response.text).not.toContain(secret);
  });

  it("mallory filtering her sessions by tenant A gets an empty page, not Alice's", async () => {
    const response = await t.http
      .get(`/api/v1/auth/sessions?tenant_id=${w.tenantA}`)
      .set('Authorization', w.authorization.mallory);
    expect(response.status).toBeLessThan(500);
    for (const secret of w.secrets) expect(response.text).not.toContain(secret);
    if (response.status === 200) expect(response.body.sessions).toEqual([]);
    else expectErrorEnvelope(response);
  });

  it('left everything of tenant A as it was', async () => {
    const subscription = await t.http
      .get(billing(w, 'subscription'))
      .set('Authorization', w.authorization.alice)
      .expect(200);
    expect(subscription.body).toMatchObject({
      plan_code: 'starter',
      seat_count: 3,
      status: 'active',
    });
    expect(subscription.body.cancel_at_period_end).toBeFalsy();
    const usage = await t.http
      .get(billing(w, 'usage'))
      .set('Authorization', w.authorization.alice)
      .expect(200);
    // The reported usage, plus the chat turns' metered tokens (docs/billing-metering.md).
    expect(usage.body.features).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ feature_key: 'messages', quantity: 7 }),
        expect.objectContaining({ feature_key: 'chat_tokens' }),
      ]),
    );
    expect(usage.body.features).toHaveLength(2);
    const history = await t.http
      .get(conversation(w))
      .set('Authorization', w.authorization.alice)
      .expect(200);
    expect(history.body.messages).toHaveLength(2);
    await t.http.get('/api/v1/auth/me').set('Authorization', w.authorization.alice).expect(200);
    await t.http
      .post('/api/v1/auth/refresh')
      .set('X-Forwarded-For', '198.51.100.32')
      .send({ refresh_token: w.aliceRefresh })
      .expect(200);
    await loginAs(t, { email: w.aliceEmail, password: w.alicePassword }, '198.51.100.33').expect(
      200,
    );
    expect(openai.stats.total).toBe(1);
  });
});
