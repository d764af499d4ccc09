import {
  MeterOutboxWorker,
  meterIdentifierOf,
} from '../../../src/modules/billing/usage/meter-outbox.worker';
import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import { startOpenAIFake, type OpenAIFake, type StripeFake } from '../../support/fakes';
import { startTestApp, usingRealPostgres, type TestApp } from '../../support/test-app';
import { postStream } from '../chat/sse-client';
import { billingEnv, startBillingStripeFake, waitFor } from './billing-kit';

interface UsageEventRow {
  tenant_id: string;
  feature_key: string;
  quantity: string;
  source_type: string;
  source_id: string;
  meter_state: string;
}

/**
 * Metered chat usage (docs/billing-metering.md): a chat turn stores its assistant message and
 * its `usage_events` row in one transaction; the meter outbox sends one Billing Meter event per
 * turn; `GET .../usage` shows the chat tokens. The app's worker loop is off (billingEnv): the
 * tests poll for their own tenants, since every test app of a run shares the database.
 */
(usingRealPostgres() ? describe : describe.skip)('chat usage metered to Stripe', () => {
  let stripe: StripeFake;
  let openai: OpenAIFake;
  let t: TestApp;

  beforeAll(async () => {
    [stripe, openai] = await Promise.all([startBillingStripeFake(), startOpenAIFake()]);
    t = await startTestApp({
      env: billingEnv(stripe, {
        OPENAI_API_KEY: 'sk-chat-test',
        OPENAI_BASE_URL: openai.baseURL,
        STRIPE_METER_EVENT_MAP: '{"chat_tokens":"aa_chat_tokens"}',
        // The interrupted stream below is about the immediate stop (partial reply metered at
        // once), not the resume grace a dropped stream's run otherwise keeps running for.
        CHAT_STREAM_RESUME_GRACE_SECONDS: '0',
      }),
    });
  });

  afterEach(() => openai.reset());

  afterAll(async () => {
    await t?.close();
    await Promise.all([stripe?.close(), openai?.close()]);
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

  function chat(user: TestUser, message: string) {
    return t.http.post('/api/v1/chat').set('Authorization', user.authorization).send({ message });
  }

  function usageEvents(tenantId: string): Promise<UsageEventRow[]> {
    return t.dataSource.query(
      `SELECT tenant_id, feature_key, quantity, source_type, source_id, meter_state
         FROM usage_events WHERE tenant_id = $1 ORDER BY created_at, source_id`,
      [tenantId],
    );
  }

  async function assistantMessages(tenantId: string): Promise<{ id: string }[]> {
    return t.dataSource.query(
      `SELECT m.id FROM agent_messages m JOIN agent_conversations c ON c.id = m.conversation_id
        WHERE c.tenant_id = $1 AND m.role = 'assistant'`,
      [tenantId],
    );
  }

  /** A trigger that fails inserts into `table` for one tenant only (others share the database). */
  async function failInserts(table: 'agent_messages' | 'usage_events', tenantId: string) {
    const name = `fail_${table}_${tenantId.replace(/-/g, '').slice(0, 12)}`;
    const condition =
      table === 'usage_events'
        ? `NEW.tenant_id = '${tenantId}'`
        : `NEW.role = 'assistant' AND EXISTS (SELECT 1 FROM agent_conversations
             WHERE id = NEW.conversation_id AND tenant_id = '${tenantId}')`;
    await t.dataSource.query(
      `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF ${condition} THEN RAISE EXCEPTION 'forced insert failure'; END IF;
         RETURN NEW;
       END $$`,
    );
    await t.dataSource.query(
      `CREATE TRIGGER ${name} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}()`,
    );
    return async () => {
      await t.dataSource.query(`DROP TRIGGER IF EXISTS ${name} ON ${table}`);
      await t.dataSource.query(`DROP FUNCTION IF EXISTS ${name}()`);
    };
  }

  it('stores the usage row with the message, sends one meter event per turn and reports it', async () => {
    const { owner, customerId } = await subscribedOwner();
    openai.enqueueText('First answer.', { usage: { input_tokens: 21, output_tokens: 5 } });
    openai.enqueueText('Second answer.', { usage: { input_tokens: 40, output_tokens: 9 } });
    const first = await chat(owner, 'Hello').expect(200);
    const second = await chat(owner, 'Again').expect(200);
    const messageIds = [first.body.metadata.message_id, second.body.metadata.message_id].map(
      String,
    );

    const rows = await usageEvents(owner.tenantId);
    expect(rows).toEqual([
      {
        tenant_id: owner.tenantId,
        feature_key: 'chat_tokens',
        quantity: '26',
        source_type: 'chat_message',
        source_id: messageIds[0],
        meter_state: 'pending',
      },
      expect.objectContaining({ quantity: '49', source_id: messageIds[1] }),
    ]);
    // The quantity is the message's own token counts (input + output).
    const tokens: { id: string; total: number }[] = await t.dataSource.query(
      `SELECT id::text, token_count_prompt + token_count_completion AS total
         FROM agent_messages WHERE id = ANY($1::bigint[]) ORDER BY id`,
      [messageIds],
    );
    expect(tokens.map((row) => String(row.total))).toEqual(['26', '49']);
    // Nothing reached Stripe on the request path.
    expect(stripe.meterEvents().filter((e) => e.payload.stripe_customer_id === customerId)).toEqual(
      [],
    );

    await t.app.get(MeterOutboxWorker).poll({ tenantIds: [owner.tenantId] });
    const events = stripe.meterEvents().filter((e) => e.payload.stripe_customer_id === customerId);
    expect(events).toHaveLength(2);
    expect(events.map((e) => [e.event_name, e.payload.value, e.identifier])).toEqual(
      messageIds.map((sourceId, i) => [
        'aa_chat_tokens',
        ['26', '49'][i],
        meterIdentifierOf({
          tenantId: owner.tenantId,
          featureKey: 'chat_tokens',
          sourceType: 'chat_message',
          sourceId,
        }),
      ]),
    );
    expect((await usageEvents(owner.tenantId)).map((row) => row.meter_state)).toEqual([
      'sent',
      'sent',
    ]);
    // A second poll sends nothing more.
    await t.app.get(MeterOutboxWorker).poll({ tenantIds: [owner.tenantId] });
    expect(
      stripe.meterEvents().filter((e) => e.payload.stripe_customer_id === customerId),
    ).toHaveLength(2);

    const usage = await t.http
      .get(`/api/v1/billing/tenants/${owner.tenantId}/usage`)
      .set('Authorization', owner.authorization)
      .expect(200);
    expect(usage.body.features).toEqual([{ feature_key: 'chat_tokens', quantity: 75, records: 2 }]);
    const today = new Date().toISOString().slice(0, 10);
    expect(usage.body.daily).toEqual([{ date: today, feature_key: 'chat_tokens', quantity: 75 }]);
    expect(usage.body.period_start).toEqual(expect.any(String));
  });

  it('meters a streamed turn the client interrupted: the partial reply with estimated tokens', async () => {
    const { owner, customerId } = await subscribedOwner();
    const reply = 'one two three four five six seven eight nine ten';
    // The provider reports usage only in its final event, which this turn never reaches.
    openai.enqueueText(reply, {
      chunkDelayMs: 80,
      usage: { input_tokens: 999, output_tokens: 999 },
    });
    const controller = new AbortController();
    await postStream(
      t.url,
      owner.authorization,
      { message: 'Tell me a long story' },
      {
        signal: controller.signal,
        onFrame: (frame) => {
          if (frame.chunk.includes('two')) controller.abort();
        },
      },
    ).catch((error: unknown) => error);
    const upstream = await openai.waitForAbort(5_000);
    expect(upstream.chunksSent).toBeLessThan(10);

    const [message] = await waitFor(async () => {
      const rows: {
        id: string;
        status: string;
        text: string;
        prompt: number;
        completion: number;
      }[] = await t.dataSource.query(
        `SELECT m.id::text, m.status, m.content->>'text' AS text, m.token_count_prompt AS prompt,
                  m.token_count_completion AS completion
             FROM agent_messages m JOIN agent_conversations c ON c.id = m.conversation_id
            WHERE c.tenant_id = $1 AND m.role = 'assistant'`,
        [owner.tenantId],
      );
      return rows.length > 0 ? rows : null;
    });
    expect(message.status).toBe('incomplete');
    expect(reply.startsWith(message.text)).toBe(true);
    // Estimated at ~4 characters a token: the streamed text, and a prompt that holds at least
    // the agent's instructions and the user's message.
    expect(message.completion).toBe(Math.ceil(message.text.length / 4));
    expect(message.prompt).toBeGreaterThan('Tell me a long story'.length / 4);
    expect(message.prompt).not.toBe(999);

    const rows = await usageEvents(owner.tenantId);
    expect(rows).toEqual([
      expect.objectContaining({
        feature_key: 'chat_tokens',
        quantity: String(message.prompt + message.completion),
        source_id: message.id,
        meter_state: 'pending',
      }),
    ]);
    await t.app.get(MeterOutboxWorker).poll({ tenantIds: [owner.tenantId] });
    const events = stripe.meterEvents().filter((e) => e.payload.stripe_customer_id === customerId);
    expect(events.map((e) => e.payload.value)).toEqual([rows[0].quantity]);
  });

  it('folds reported usage and chat usage into features and daily', async () => {
    const { owner } = await subscribedOwner();
    openai.enqueueText('Answer.', { usage: { input_tokens: 3, output_tokens: 4 } });
    await chat(owner, 'Hi').expect(200);
    await t.http
      .post(`/api/v1/billing/tenants/${owner.tenantId}/usage`)
      .set('Authorization', owner.authorization)
      .send({ feature_key: 'messages', quantity: 2, idempotency_key: 'm-1' })
      .expect(202);
    const usage = await t.http
      .get(`/api/v1/billing/tenants/${owner.tenantId}/usage`)
      .set('Authorization', owner.authorization)
      .expect(200);
    expect(usage.body.features).toEqual([
      { feature_key: 'chat_tokens', quantity: 7, records: 1 },
      { feature_key: 'messages', quantity: 2, records: 1 },
    ]);
    const today = new Date().toISOString().slice(0, 10);
    expect(usage.body.daily).toEqual([
      { date: today, feature_key: 'chat_tokens', quantity: 7 },
      { date: today, feature_key: 'messages', quantity: 2 },
    ]);
  });

  it('writes no usage row when the message insert fails', async () => {
    const { owner } = await subscribedOwner();
    const restore = await failInserts('agent_messages', owner.tenantId);
    try {
      openai.enqueueText('Lost answer.', { usage: { input_tokens: 8, output_tokens: 2 } });
      const response = await chat(owner, 'Hello');
      expect(response.status).not.toBe(200);
    } finally {
      await restore();
    }
    expect(await assistantMessages(owner.tenantId)).toEqual([]);
    expect(await usageEvents(owner.tenantId)).toEqual([]);
  });

  it('stores no assistant message when the usage insert fails (one transaction)', async () => {
    const { owner } = await subscribedOwner();
    const restore = await failInserts('usage_events', owner.tenantId);
    try {
      openai.enqueueText('Lost answer.', { usage: { input_tokens: 8, output_tokens: 2 } });
      const response = await chat(owner, 'Hello');
      expect(response.status).not.toBe(200);
    } finally {
      await restore();
    }
    expect(await assistantMessages(owner.tenantId)).toEqual([]);
    expect(await usageEvents(owner.tenantId)).toEqual([]);
    const conversations: { message_count: number; total_tokens_prompt: number }[] =
      await t.dataSource.query(
        'SELECT message_count, total_tokens_prompt FROM agent_conversations WHERE tenant_id = $1',
        [owner.tenantId],
      );
    // The conversation counters of the rolled-back reply are not kept either.
    expect(conversations).toEqual([{ message_count: 1, total_tokens_prompt: 0 }]);
  });
});
