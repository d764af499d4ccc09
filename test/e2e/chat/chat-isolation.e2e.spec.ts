import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import { startOpenAIFake, toolOutputsOf, userTextsOf, type OpenAIFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';
import { conversationRow, messageRows } from './chat-db';
import { postStream } from './sse-client';

/**
 * Decision C1: a conversation belongs to the tenant and user that created it. Another user of
 * the same tenant and a user of another tenant get 404, never see it listed, never reach it
 * through the search tool, and never append to it.
 */
describe('conversation isolation', () => {
  let t: TestApp;
  let fake: OpenAIFake;
  let alice: TestUser;
  let colleague: TestUser;
  let stranger: TestUser;
  let conversationId: string;
  const secret = 'pelican-7731 launch plan';

  beforeAll(async () => {
    fake = await startOpenAIFake();
    t = await startTestApp({
      env: { OPENAI_API_KEY: 'sk-iso', OPENAI_BASE_URL: fake.baseURL },
    });
    alice = await createTestUser(t, { role: 'owner' });
    colleague = await createTestUser(t, { role: 'owner', tenantId: alice.tenantId });
    stranger = await createTestUser(t, { role: 'owner' });
    fake.enqueueText('Noted.');
    const response = await t.http
      .post('/api/v1/chat')
      .set('Authorization', alice.authorization)
      .send({ message: `Remember the ${secret}.`, conversation_id: 'shared-name' })
      .expect(200);
    conversationId = response.body.conversation_id;
  });

  afterEach(() => fake.reset());

  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('lets the owner read, list and find the conversation', async () => {
    const history = await t.http
      .get(`/api/v1/conversations/${conversationId}`)
      .set('Authorization', alice.authorization)
      .expect(200);
    expect(history.body.messages).toHaveLength(2);
    const list = await t.http
      .get('/api/v1/conversations')
      .set('Authorization', alice.authorization)
      .expect(200);
    expect(list.body.map((c: { conversation_id: string }) => c.conversation_id)).toEqual([
      'shared-name',
    ]);

    fake.enqueueToolCall('search_conversations', { query: 'PELICAN-7731' }, 'call_own');
    fake.enqueueText('Found it.');
    await t.http
      .post('/api/v1/chat')
      .set('Authorization', alice.authorization)
      .send({ message: 'Search my chats', conversation_id: 'search-by-alice' })
      .expect(200);
    const [output] = toolOutputsOf(fake.lastRequest()!);
    expect(output.callId).toBe('call_own');
    expect(output.output).toContain('Found 1 conversation(s)');
    expect(output.output).toContain(`shared-name: Remember the ${secret}.`);
  });

  it.each([
    ['another user of the same tenant', () => colleague],
    ['a user of another tenant', () => stranger],
  ])('answers 404 to %s and hides the conversation', async (_who, who) => {
    const other = who();
    const read = await t.http
      .get(`/api/v1/conversations/${conversationId}`)
      .set('Authorization', other.authorization)
      .expect(404);
    expect(read.body).toMatchObject({
      message: `Conversation ${conversationId} not found`,
      code: 'conversation_not_found',
    });
    await t.http
      .delete(`/api/v1/conversations/${conversationId}`)
      .set('Authorization', other.authorization)
      .expect(404);
    const list = await t.http
      .get('/api/v1/conversations')
      .set('Authorization', other.authorization)
      .expect(200);
    expect(JSON.stringify(list.body)).not.toContain('shared-name');

    // The search tool runs for the caller only: the secret is not found.
    fake.enqueueToolCall('search_conversations', { query: 'pelican-7731' }, 'call_other');
    fake.enqueueText('Nothing found.');
    await postStream(t.url, other.authorization, { message: 'Search for the pelican plan' });
    const outputs = toolOutputsOf(fake.lastRequest()!);
    expect(outputs).toEqual([
      { callId: 'call_other', output: "No conversations found containing 'pelican-7731'." },
    ]);

    // Alice's conversation is untouched by the attempts.
    const row = await conversationRow(t, alice.userId, 'shared-name');
    expect(row?.message_count).toBe(2);
  });

  it("never appends to someone else's conversation: the same id is the caller's own", async () => {
    fake.enqueueText('Hello, colleague.');
    const response = await t.http
      .post('/api/v1/chat')
      .set('Authorization', colleague.authorization)
      .send({ message: 'Hi there', conversation_id: 'shared-name' })
      .expect(200);
    expect(response.body.conversation_id).toBe('shared-name');
    // The model saw only the colleague's turn, not Alice's memory.
    expect(userTextsOf(fake.lastRequest()!)).toEqual(['Hi there']);

    const mine = await conversationRow(t, colleague.userId, 'shared-name');
    const hers = await conversationRow(t, alice.userId, 'shared-name');
    expect(mine?.id).not.toBe(hers?.id);
    expect(mine?.sdk_session_id).not.toBe(hers?.sdk_session_id);
    expect((await messageRows(t, hers!.id)).map((m) => m.text)).toEqual([
      `Remember the ${secret}.`,
      'Noted.',
    ]);
    const history = await t.http
      .get('/api/v1/conversations/shared-name')
      .set('Authorization', colleague.authorization)
      .expect(200);
    expect(history.body.messages.map((m: { content: string }) => m.content)).toEqual([
      'Hi there',
      'Hello, colleague.',
    ]);
  });

  it('refuses chat to viewers (403) but lets them list conversations', async () => {
    const viewer = await createTestUser(t, { role: 'viewer', tenantId: alice.tenantId });
    const before = fake.stats.total;
    const plain = await t.http
      .post('/api/v1/chat')
      .set('Authorization', viewer.authorization)
      .send({ message: 'hi' })
      .expect(403);
    expect(plain.body.message).toBe('Insufficient scopes for this operation.');
    const stream = await postStream(t.url, viewer.authorization, { message: 'hi' });
    expect(stream.status).toBe(403);
    expect(fake.stats.total).toBe(before);
    await t.http
      .get('/api/v1/conversations')
      .set('Authorization', viewer.authorization)
      .expect(200, []);
  });

  it('refuses unverified emails and missing tokens before any work', async () => {
    const unverified = await createTestUser(t, { role: 'owner', emailVerified: false });
    const response = await t.http
      .post('/api/v1/chat')
      .set('Authorization', unverified.authorization)
      .send({ message: 'hi' })
      .expect(403);
    expect(response.body.message).toBe('Email verification required.');
    await t.http.post('/api/v1/chat/stream').send({ message: 'hi' }).expect(401);
  });
});
