import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import { startOpenAIFake, type OpenAIFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';
import { conversationRow } from './chat-db';

/**
 * List, read and delete under `/api/v1/conversations`, and the request rules of
 * `POST /api/v1/chat` (decisions C1, C5).
 */
describe('conversations API', () => {
  let t: TestApp;
  let fake: OpenAIFake;
  let user: TestUser;

  async function chat(message: string, conversationId?: string): Promise<string> {
    const response = await t.http
      .post('/api/v1/chat')
      .set('Authorization', user.authorization)
      .send({ message, conversation_id: conversationId })
      .expect(200);
    return response.body.conversation_id as string;
  }

  beforeAll(async () => {
    fake = await startOpenAIFake();
    t = await startTestApp({
      env: {
        OPENAI_API_KEY: 'sk-conv',
        OPENAI_BASE_URL: fake.baseURL,
        CHAT_MAX_MESSAGE_CHARS: '40',
      },
    });
    user = await createTestUser(t, { role: 'owner' });
  });

  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('keeps custom ids verbatim and maps them like the reference', async () => {
    const id = await chat('first custom turn', 'integration-test-thread');
    expect(id).toBe('integration-test-thread');
    const row = await conversationRow(t, user.userId, 'integration-test-thread');
    expect(row?.id).toBe('5f17a08b-afc9-51f5-a675-1ed5fb520b60');

    const upper = 'A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D';
    expect(await chat('uuid turn', upper)).toBe(upper);
    const canonical = upper.toLowerCase();
    const byCanonical = await t.http
      .get(`/api/v1/conversations/${canonical}`)
      .set('Authorization', user.authorization)
      .expect(200);
    expect(byCanonical.body.conversation_id).toBe(canonical);
    expect(byCanonical.body.messages.map((m: { role: string }) => m.role)).toEqual([
      'user',
      'assistant',
    ]);
    const braced = await t.http
      .get(`/api/v1/conversations/${encodeURIComponent(`{${upper}}`)}`)
      .set('Authorization', user.authorization)
      .expect(200);
    expect(braced.body.messages).toHaveLength(2);
  });

  it('returns the history in order with reference timestamps and additive fields', async () => {
    const id = await chat('history please');
    const response = await t.http
      .get(`/api/v1/conversations/${id}`)
      .set('Authorization', user.authorization)
      .expect(200);
    const stamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00$/;
    expect(response.body).toEqual({
      conversation_id: id,
      messages: [
        expect.objectContaining({ role: 'user', content: 'history please', status: 'completed' }),
        expect.objectContaining({
          role: 'assistant',
          content: 'Echo: history please',
          agent: 'triage',
          usage: expect.objectContaining({ output_tokens: expect.any(Number) }),
        }),
      ],
      created_at: response.body.messages[0].timestamp,
      updated_at: response.body.messages[1].timestamp,
      agent_context: null,
      // Additive fields of decision C8.
      title: 'history please',
      archived: false,
      archived_at: null,
    });
    expect(response.body.created_at).toMatch(stamp);
  });

  it('lists newest first in pages with X-Next-Cursor', async () => {
    const pager = await createTestUser(t, { role: 'owner' });
    const ids: string[] = [];
    for (const text of ['alpha', 'bravo', 'charlie']) {
      const response = await t.http
        .post('/api/v1/chat')
        .set('Authorization', pager.authorization)
        .send({ message: text })
        .expect(200);
      ids.push(response.body.conversation_id);
    }
    const all = await t.http
      .get('/api/v1/conversations')
      .set('Authorization', pager.authorization)
      .expect(200);
    expect(all.headers['x-next-cursor']).toBeUndefined();
    expect(all.body.map((c: { conversation_id: string }) => c.conversation_id)).toEqual(
      [...ids].reverse(),
    );
    expect(all.body[0]).toEqual({
      conversation_id: ids[2],
      message_count: 2,
      last_message: 'Echo: charlie',
      created_at: expect.any(String),
      updated_at: expect.any(String),
      title: 'charlie',
      archived: false,
      archived_at: null,
    });

    const first = await t.http
      .get('/api/v1/conversations?limit=2')
      .set('Authorization', pager.authorization)
      .expect(200);
    expect(first.body.map((c: { conversation_id: string }) => c.conversation_id)).toEqual([
      ids[2],
      ids[1],
    ]);
    const cursor = first.headers['x-next-cursor'];
    expect(cursor).toEqual(expect.any(String));
    const second = await t.http
      .get(`/api/v1/conversations?limit=2&cursor=${cursor}`)
      .set('Authorization', pager.authorization)
      .expect(200);
    expect(second.body.map((c: { conversation_id: string }) => c.conversation_id)).toEqual([
      ids[0],
    ]);
    expect(second.headers['x-next-cursor']).toBeUndefined();

    for (const query of ['limit=0', 'limit=201', 'limit=abc', 'cursor=not-a-cursor']) {
      const bad = await t.http
        .get(`/api/v1/conversations?${query}`)
        .set('Authorization', pager.authorization)
        .expect(422);
      expect(bad.body.code).toBe('validation_error');
    }
  });

  it('truncates last_message to 120 characters', async () => {
    const long = 'x'.repeat(35);
    fake.enqueueText('y'.repeat(150));
    const id = await chat(long);
    const list = await t.http
      .get('/api/v1/conversations?limit=1')
      .set('Authorization', user.authorization)
      .expect(200);
    expect(list.body[0]).toMatchObject({ conversation_id: id, last_message: 'y'.repeat(120) });
  });

  it('validates the chat request with 422 envelopes', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ message: '' }, 'message', 'string_too_short'],
      [{ message: 'x'.repeat(41) }, 'message', 'string_too_long'],
      [{ message: 5 }, 'message', 'string_type'],
      [{}, 'message', 'missing'],
      [{ message: 'hi', context: [1] }, 'context', 'dict_type'],
      [{ message: 'hi', agent_type: 'a'.repeat(65) }, 'agent_type', 'string_too_long'],
      [{ message: 'hi', conversation_id: 'c'.repeat(256) }, 'conversation_id', 'string_too_long'],
    ];
    for (const [body, field, type] of cases) {
      for (const path of ['/api/v1/chat', '/api/v1/chat/stream']) {
        const response = await t.http
          .post(path)
          .set('Authorization', user.authorization)
          .send(body)
          .expect(422);
        expect(response.body).toMatchObject({
          error: 'ValidationError',
          message: 'Request validation failed.',
        });
        expect(response.body.details).toEqual(
          expect.arrayContaining([expect.objectContaining({ loc: ['body', field], type })]),
        );
      }
    }
    // Accepted and ignored: an object context, unknown fields.
    await t.http
      .post('/api/v1/chat')
      .set('Authorization', user.authorization)
      .send({ message: 'x'.repeat(40), context: { page: 'home' }, extra: true })
      .expect(200);
  });

  it('deletes with 204, then the conversation is gone (404 on read and on a second delete)', async () => {
    const id = await chat('to be deleted', 'delete-me');
    await t.http
      .delete(`/api/v1/conversations/${id}`)
      .set('Authorization', user.authorization)
      .expect(204, '');
    await t.http
      .get(`/api/v1/conversations/${id}`)
      .set('Authorization', user.authorization)
      .expect(404);
    await t.http
      .delete(`/api/v1/conversations/${id}`)
      .set('Authorization', user.authorization)
      .expect(404);
    const member = await createTestUser(t, { role: 'member', tenantId: user.tenantId });
    await t.http
      .delete(`/api/v1/conversations/${id}`)
      .set('Authorization', member.authorization)
      .expect(403);
  });
});
