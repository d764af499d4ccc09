import { createConnection } from 'node:net';
import { createTestUser, uniqueEmail, type TestUser } from '../../support/auth-fixtures';
import { startOpenAIFake, type OpenAIFake, type StripeFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';
import { FAST_AUTH_ENV, STRONG_PASSWORD } from '../auth/auth-e2e-helpers';
import { billingEnv, startBillingStripeFake } from '../billing/billing-kit';
import {
  event,
  postEvent,
  settled,
  storedEvent,
  subscriptionObject,
  subscriptionOf,
} from '../webhooks/webhook-kit';

/**
 * Issue 10, defect A: text Postgres cannot store (NUL, lone UTF-16 surrogates) is refused with
 * the 422 envelope before any side effect, instead of a 500 after the model was called
 * (docs/text-input.md).
 */
const NUL_ISSUE = {
  type: 'value_error',
  msg: 'Value error, Text must not contain NUL characters.',
  ctx: { error: 'Text must not contain NUL characters.' },
};
const SURROGATE_ISSUE = {
  type: 'string_unicode',
  msg: 'Input should be a valid string, unable to parse raw data as a unicode string',
};

function validationEnvelope(details: unknown[]): Record<string, unknown> {
  return {
    success: false,
    error: 'ValidationError',
    message: 'Request validation failed.',
    details,
    code: 'validation_error',
    request_id: expect.any(String),
  };
}

describe('text Postgres cannot store', () => {
  let t: TestApp;
  let openai: OpenAIFake;
  let stripe: StripeFake;
  let user: TestUser;
  let ipCounter = 0;

  beforeAll(async () => {
    openai = await startOpenAIFake();
    stripe = await startBillingStripeFake();
    t = await startTestApp({
      env: {
        ...billingEnv(stripe),
        ...FAST_AUTH_ENV,
        OPENAI_API_KEY: 'sk-text-input',
        OPENAI_BASE_URL: openai.baseURL,
        TRUSTED_PROXIES: '127.0.0.1',
      },
    });
    user = await createTestUser(t, { role: 'owner' });
  });

  afterEach(() => openai.reset());

  afterAll(async () => {
    await t.close();
    await openai.close();
    await stripe.close();
  });

  const count = async (sql: string, params: unknown[]): Promise<number> =>
    (await t.dataSource.query<{ n: number }[]>(sql, params))[0].n;
  const conversationsOf = (owner: TestUser) =>
    count('SELECT count(*)::int AS n FROM agent_conversations WHERE user_id = $1', [owner.userId]);
  const messagesOf = (owner: TestUser) =>
    count(
      `SELECT count(*)::int AS n FROM agent_messages m
         JOIN agent_conversations c ON c.id = m.conversation_id WHERE c.user_id = $1`,
      [owner.userId],
    );

  describe('chat', () => {
    it.each([
      ['a NUL in the message', { message: 'hello\u0000world' }, ['body', 'message'], NUL_ISSUE],
      [
        'a NUL in the conversation id',
        { message: 'hello', conversation_id: 'conv\u0000x' },
        ['body', 'conversation_id'],
        NUL_ISSUE,
      ],
      [
        'a NUL in the agent type',
        { message: 'hello', agent_type: 'triage\u0000' },
        ['body', 'agent_type'],
        NUL_ISSUE,
      ],
      [
        'a NUL deep in the context metadata',
        { message: 'hello', context: { tags: ['ok', 'b\u0000d'] } },
        ['body', 'context', 'tags', 1],
        NUL_ISSUE,
      ],
      [
        'a NUL in a metadata key',
        { message: 'hello', context: { 'k\u0000': 1 } },
        ['body', 'context', 'k\u0000', '[key]'],
        NUL_ISSUE,
      ],
      [
        'a lone high surrogate',
        { message: 'hi \ud800 there' },
        ['body', 'message'],
        SURROGATE_ISSUE,
      ],
      ['a lone low surrogate', { message: '\udc00' }, ['body', 'message'], SURROGATE_ISSUE],
    ])(
      'answers 422 for %s, before the model is asked or a row is written',
      async (_label, body, loc, issue) => {
        const before = {
          conversations: await conversationsOf(user),
          messages: await messagesOf(user),
        };
        const response = await t.http
          .post('/api/v1/chat')
          .set('Authorization', user.authorization)
          .send(body)
          .expect(422);

        const input = loc[loc.length - 1] === '[key]' ? loc[loc.length - 2] : undefined;
        expect(response.body).toEqual(
          validationEnvelope([{ ...issue, loc, input: input ?? expect.any(String) }]),
        );
        expect(openai.requests).toHaveLength(0);
        expect(await conversationsOf(user)).toBe(before.conversations);
        expect(await messagesOf(user)).toBe(before.messages);
      },
    );

    it('echoes the offending string, escaped, as the issue input', async () => {
      // The raw JSON text a client would send: an unpaired surrogate escape.
      const response = await t.http
        .post('/api/v1/chat')
        .set('Authorization', user.authorization)
        .set('Content-Type', 'application/json')
        .send('{"message": "x\\ud800y"}')
        .expect(422);
      expect(response.text).toContain('"input":"x\\ud800y"');
      expect(response.body.details).toEqual([
        { ...SURROGATE_ISSUE, loc: ['body', 'message'], input: 'x\ud800y' },
      ]);
    });

    it('refuses a streamed turn with the same 422 before any stream byte or model call', async () => {
      const response = await t.http
        .post('/api/v1/chat/stream')
        .set('Authorization', user.authorization)
        .set('Accept', 'text/event-stream')
        .send({ message: 'stream\u0000me' })
        .expect(422);
      expect(response.headers['content-type']).toMatch(/application\/json/);
      expect(response.body).toEqual(
        validationEnvelope([{ ...NUL_ISSUE, loc: ['body', 'message'], input: 'stream\u0000me' }]),
      );
      expect(openai.requests).toHaveLength(0);
      expect(await conversationsOf(user)).toBe(0);
    });

    it('still accepts paired surrogates (emoji) and control characters other than NUL', async () => {
      openai.enqueueText('Got it.');
      const response = await t.http
        .post('/api/v1/chat')
        .set('Authorization', user.authorization)
        .send({ message: 'rocket 🚀 tab\there \u0001' })
        .expect(200);
      expect(response.body.response).toBe('Got it.');
      expect(openai.requests).toHaveLength(1);
    });
  });

  describe('conversation ids in the path and the query string', () => {
    it.each([
      ['GET', 'get'],
      ['DELETE', 'delete'],
    ] as const)(
      '%s /conversations/<id with NUL> is a 422 on the path parameter',
      async (_m, verb) => {
        const response = await t.http[verb]('/api/v1/conversations/abc%00def')
          .set('Authorization', user.authorization)
          .expect(422);
        expect(response.body).toEqual(
          validationEnvelope([
            { ...NUL_ISSUE, loc: ['path', 'conversation_id'], input: 'abc\u0000def' },
          ]),
        );
      },
    );

    it('a NUL in the list cursor is a 422 on the query parameter', async () => {
      const response = await t.http
        .get('/api/v1/conversations?cursor=ab%00cd')
        .set('Authorization', user.authorization)
        .expect(422);
      expect(response.body).toEqual(
        validationEnvelope([{ ...NUL_ISSUE, loc: ['query', 'cursor'], input: 'ab\u0000cd' }]),
      );
    });
  });

  describe('auth', () => {
    const register = (body: Record<string, unknown>) =>
      t.http
        .post('/api/v1/auth/register')
        .set('X-Forwarded-For', `192.0.2.${++ipCounter}`)
        .send({ password: STRONG_PASSWORD, accept_terms: true, ...body });

    it.each([
      ['tenant_name', { tenant_name: 'Acme \ud83d Co' }, SURROGATE_ISSUE],
      ['display_name', { tenant_name: 'Acme Co', display_name: 'Zo\u0000e' }, NUL_ISSUE],
      ['plan_code', { tenant_name: 'Acme Co', plan_code: 'starter\u0000' }, NUL_ISSUE],
    ])('register with bad text in %s is a 422 and writes no user', async (field, body, issue) => {
      const email = uniqueEmail('text');
      const response = await register({ email, ...body }).expect(422);
      expect(response.body).toEqual(
        validationEnvelope([
          { ...issue, loc: ['body', field], input: (body as Record<string, unknown>)[field] },
        ]),
      );
      expect(await count('SELECT count(*)::int AS n FROM users WHERE email = $1', [email])).toBe(0);
    });

    it('register with a NUL in the email is a 422 and writes no tenant', async () => {
      const tenantName = `Nul Mail ${Date.now()}`;
      const response = await register({
        email: 'nul\u0000@example.test',
        tenant_name: tenantName,
      }).expect(422);
      expect(response.body.details).toEqual([
        { ...NUL_ISSUE, loc: ['body', 'email'], input: 'nul\u0000@example.test' },
      ]);
      expect(
        await count('SELECT count(*)::int AS n FROM tenant_accounts WHERE name = $1', [tenantName]),
      ).toBe(0);
    });

    it('login with a NUL in the tenant id is a 422 and records no login event', async () => {
      const before = await count(
        'SELECT count(*)::int AS n FROM user_login_events WHERE user_id = $1',
        [user.userId],
      );
      const response = await t.http
        .post('/api/v1/auth/token')
        .send({ email: user.email, password: STRONG_PASSWORD, tenant_id: 'abc\u0000' })
        .expect(422);
      expect(response.body.details).toEqual([
        { ...NUL_ISSUE, loc: ['body', 'tenant_id'], input: 'abc\u0000' },
      ]);
      expect(
        await count('SELECT count(*)::int AS n FROM user_login_events WHERE user_id = $1', [
          user.userId,
        ]),
      ).toBe(before);
    });

    it('a User-Agent with a NUL never reaches the app: the HTTP parser answers 400', async () => {
      const sessionsBefore = await count(
        'SELECT count(*)::int AS n FROM user_sessions WHERE user_id = $1',
        [user.userId],
      );
      const { port } = new URL(t.url);
      const status = await new Promise<string>((resolve, reject) => {
        const socket = createConnection(Number(port), '127.0.0.1', () => {
          const body = JSON.stringify({ email: user.email, password: STRONG_PASSWORD });
          socket.write(
            Buffer.from(
              `POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: evil\u0000agent\r\n` +
                `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n` +
                `Connection: close\r\n\r\n${body}`,
              'latin1',
            ),
          );
        });
        let received = '';
        socket.on('data', (chunk) => (received += chunk.toString('latin1')));
        socket.on('end', () => resolve(received.split('\r\n')[0]));
        socket.on('error', reject);
      });
      expect(status).toBe('HTTP/1.1 400 Bad Request');
      expect(
        await count('SELECT count(*)::int AS n FROM user_sessions WHERE user_id = $1', [
          user.userId,
        ]),
      ).toBe(sessionsBefore);
    });
  });

  describe('billing', () => {
    it('a NUL in the plan code is a 422 before Stripe is called or a row written', async () => {
      const owner = await createTestUser(t, { role: 'owner' });
      const stripeCalls = stripe.requests.length;
      const response = await t.http
        .post(`/api/v1/billing/tenants/${owner.tenantId}/subscription`)
        .set('Authorization', owner.authorization)
        .send({ plan_code: 'starter\u0000', billing_email: 'billing@example.test' })
        .expect(422);
      expect(response.body).toEqual(
        validationEnvelope([{ ...NUL_ISSUE, loc: ['body', 'plan_code'], input: 'starter\u0000' }]),
      );
      expect(stripe.requests.length).toBe(stripeCalls);
      expect(
        await count('SELECT count(*)::int AS n FROM tenant_subscriptions WHERE tenant_id = $1', [
          owner.tenantId,
        ]),
      ).toBe(0);
    });

    it('a lone surrogate in a usage feature key is a 422 and records no usage', async () => {
      const owner = await createTestUser(t, { role: 'owner' });
      const response = await t.http
        .post(`/api/v1/billing/tenants/${owner.tenantId}/usage`)
        .set('Authorization', owner.authorization)
        .set('Content-Type', 'application/json')
        .send('{"feature_key": "tokens\\udfff", "quantity": 1}')
        .expect(422);
      expect(response.body.details).toEqual([
        { ...SURROGATE_ISSUE, loc: ['body', 'feature_key'], input: 'tokens\udfff' },
      ]);
    });
  });

  describe('Stripe webhook (signed raw bytes)', () => {
    it('stores an authentic event with NUL and lone surrogates stripped from its fields', async () => {
      const owner = await createTestUser(t, { role: 'owner' });
      const fixture = event('charge.refunded', {
        id: 'ch_nul',
        object: 'charge',
        status: 'succeeded',
        description: 'Refund\u0000 issued \ud800',
        metadata: { tenant_id: owner.tenantId, 'note\u0000': 'a\u0000b' },
      });
      const response = await postEvent(t, fixture).expect(202);
      expect(response.body).toEqual({ success: true, duplicate: false });

      expect(await storedEvent(t, fixture.id)).toMatchObject({
        processing_outcome: 'processed',
        tenant_hint: owner.tenantId,
      });
      const [row] = await t.dataSource.query<{ object: Record<string, unknown> }[]>(
        `SELECT payload->'data'->'object' AS object FROM stripe_events WHERE stripe_event_id = $1`,
        [fixture.id],
      );
      expect(row.object).toMatchObject({
        description: 'Refund issued \ufffd',
        metadata: { tenant_id: owner.tenantId, note: 'ab' },
      });
    });

    it('dispatches a handled event whose metadata carries a NUL', async () => {
      const owner = await createTestUser(t, { role: 'owner' });
      const subscription = subscriptionObject({ tenantId: owner.tenantId, planCode: 'starter' });
      (subscription.metadata as Record<string, string>).note = 'x\u0000y';
      const fixture = event('customer.subscription.created', subscription);
      await postEvent(t, fixture).expect(202);
      const [dispatch] = await settled(t, fixture.id);
      expect(dispatch).toMatchObject({ handler: 'billing_sync', status: 'completed' });
      expect(await storedEvent(t, fixture.id)).toMatchObject({
        processing_outcome: 'processed',
        tenant_hint: owner.tenantId,
      });
      expect(await subscriptionOf(t, owner.tenantId)).toMatchObject({
        plan_code: 'starter',
        status: 'active',
        processor_subscription_id: subscription.id,
      });
    });
  });
});
