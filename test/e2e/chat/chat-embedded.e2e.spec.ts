import { OFFLINE_MODEL_NAME } from '../../../src/modules/agents/offline/offline-model';
import { createTestUser } from '../../support/auth-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

/** Decision P10: with no DATABASE_URL and no OPENAI_API_KEY, chat runs on PGlite and the offline model. */
describe('chat on embedded defaults', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      env: { DATABASE_URL: undefined, AUTO_RUN_MIGRATIONS: 'true', OPENAI_API_KEY: undefined },
    });
  });

  afterAll(() => t.close());

  it('chats, remembers, lists, paginates and deletes', async () => {
    const user = await createTestUser(t, { role: 'owner' });
    const first = await t.http
      .post('/api/v1/chat')
      .set('Authorization', user.authorization)
      .send({ message: 'hello offline', conversation_id: 'offline-thread' })
      .expect(200);
    expect(first.body.response).toBe(
      'Offline mode (no OPENAI_API_KEY is configured), so this is a canned reply. You said: "hello offline".',
    );
    // The reply names the model that wrote it, not the configured OpenAI model.
    expect(first.body.metadata.model_used).toBe(OFFLINE_MODEL_NAME);
    const second = await t.http
      .post('/api/v1/chat')
      .set('Authorization', user.authorization)
      .send({ message: 'still there?', conversation_id: 'offline-thread' })
      .expect(200);
    expect(second.body.response).toContain('I remember 1 earlier message');
    await t.http
      .post('/api/v1/chat')
      .set('Authorization', user.authorization)
      .send({ message: 'another' })
      .expect(200);

    const page = await t.http
      .get('/api/v1/conversations?limit=1')
      .set('Authorization', user.authorization)
      .expect(200);
    expect(page.body).toHaveLength(1);
    const rest = await t.http
      .get(`/api/v1/conversations?limit=5&cursor=${page.headers['x-next-cursor']}`)
      .set('Authorization', user.authorization)
      .expect(200);
    expect(rest.body.map((c: { conversation_id: string }) => c.conversation_id)).toEqual([
      'offline-thread',
    ]);
    expect(rest.body[0].message_count).toBe(4);

    await t.http
      .delete('/api/v1/conversations/offline-thread')
      .set('Authorization', user.authorization)
      .expect(204);
    const fresh = await t.http
      .post('/api/v1/chat')
      .set('Authorization', user.authorization)
      .send({ message: 'new start', conversation_id: 'offline-thread' })
      .expect(200);
    expect(fresh.body.response).not.toContain('I remember');
  });

  it('reports the offline model for every agent and web search as unavailable without a key', async () => {
    const user = await createTestUser(t, { role: 'member' });
    const agents = await t.http
      .get('/api/v1/agents')
      .set('Authorization', user.authorization)
      .expect(200);
    expect(agents.body.map((agent: { model: string }) => agent.model)).toEqual([
      OFFLINE_MODEL_NAME,
      OFFLINE_MODEL_NAME,
      OFFLINE_MODEL_NAME,
    ]);
    const tools = await t.http
      .get('/api/v1/tools')
      .set('Authorization', user.authorization)
      .expect(200);
    expect(tools.body.items[0]).toMatchObject({
      name: 'tavily_search_tool',
      requires_api_key: true,
      available: false,
    });
    expect(agents.body.find((a: { name: string }) => a.name === 'triage').tools).not.toContain(
      'tavily_search_tool',
    );
  });
});
