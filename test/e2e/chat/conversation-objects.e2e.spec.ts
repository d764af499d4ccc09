import { BACKFILL_TITLES_SQL } from '../../../migrations/1764100900000-conversation-title-archive';
import { deriveConversationTitle } from '../../../src/modules/conversations/conversation-title';
import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import { startOpenAIFake, type OpenAIFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';

interface Summary {
  conversation_id: string;
  title: string | null;
  archived: boolean;
  archived_at: string | null;
  updated_at: string;
  message_count: number;
}

interface Message {
  id: number;
  position: number;
  role: string;
  content: string;
}

const ids = (body: Summary[]): string[] => body.map((c) => c.conversation_id);

/**
 * Conversations as objects (decision C8, docs/conversations.md): derived titles, rename and
 * archive by PATCH, list filters combined with the keyset cursor, and message paging of the
 * history. Every answer stays within the caller's own conversations (C1).
 */
describe('conversations as objects', () => {
  let t: TestApp;
  let fake: OpenAIFake;

  async function chat(
    user: TestUser,
    message: string,
    options: { conversationId?: string; agent?: string } = {},
  ): Promise<string> {
    const response = await t.http
      .post('/api/v1/chat')
      .set('Authorization', user.authorization)
      .send({ message, conversation_id: options.conversationId, agent_type: options.agent })
      .expect(200);
    return response.body.conversation_id as string;
  }

  async function list(user: TestUser, query = ''): Promise<{ body: Summary[]; next?: string }> {
    const response = await t.http
      .get(`/api/v1/conversations${query ? `?${query}` : ''}`)
      .set('Authorization', user.authorization)
      .expect(200);
    expect(Array.isArray(response.body)).toBe(true);
    return { body: response.body as Summary[], next: response.headers['x-next-cursor'] };
  }

  function patch(user: TestUser, id: string, body: unknown) {
    return t.http
      .patch(`/api/v1/conversations/${encodeURIComponent(id)}`)
      .set('Authorization', user.authorization)
      .send(body as object);
  }

  async function titleRow(id: string): Promise<{ title: string | null; archived_at: Date | null }> {
    const rows: { title: string | null; archived_at: Date | null }[] = await t.dataSource.query(
      'SELECT title, archived_at FROM agent_conversations WHERE conversation_key = $1',
      [id],
    );
    expect(rows).toHaveLength(1);
    return rows[0];
  }

  beforeAll(async () => {
    fake = await startOpenAIFake();
    t = await startTestApp({
      env: { OPENAI_API_KEY: 'sk-conv-objects', OPENAI_BASE_URL: fake.baseURL },
    });
  });

  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('titles a conversation after its first message, cut on a word boundary', async () => {
    const user = await createTestUser(t, { role: 'owner' });
    const words = Array.from({ length: 25 }, (_, i) => `token${i}`).join('  ');
    const id = await chat(user, `  ${words}\n`);
    const expected = `${Array.from({ length: 11 }, (_, i) => `token${i}`).join(' ')}…`;
    expect(Array.from(expected).length).toBeLessThanOrEqual(80);

    const [summary] = (await list(user)).body;
    expect(summary).toMatchObject({ conversation_id: id, title: expected, archived: false });
    expect((await titleRow(id)).title).toBe(expected);

    // Later turns do not rename it.
    await chat(user, 'a second, different turn', { conversationId: id });
    const history = await t.http
      .get(`/api/v1/conversations/${id}`)
      .set('Authorization', user.authorization)
      .expect(200);
    expect(history.body).toMatchObject({ title: expected, archived: false, archived_at: null });
    expect(history.headers['x-messages-next-cursor']).toBeUndefined();

    const short = await chat(user, 'Short question?');
    expect((await list(user)).body.find((c) => c.conversation_id === short)?.title).toBe(
      'Short question?',
    );
  });

  it('backfills the titles of older conversations by the same rule (migration SQL)', async () => {
    const user = await createTestUser(t, { role: 'owner' });
    const texts = [
      '  Legacy\tconversation   about\n\nthings ',
      Array.from({ length: 40 }, (_, i) => `w${i}`).join(' \n'),
      `${'a'.repeat(79)} tail`,
      'x'.repeat(300),
      '😀 '.repeat(60),
    ];
    const legacy: string[] = [];
    for (const text of texts) legacy.push(await chat(user, text));
    const renamed = await chat(user, 'renamed before the migration');
    await patch(user, renamed, { title: 'Mine' }).expect(200);
    // As before the migration: no titles (the rename stands for a title set some other way).
    await t.dataSource.query(
      `UPDATE agent_conversations SET title = NULL WHERE user_id = $1 AND title <> 'Mine'`,
      [user.userId],
    );

    await t.dataSource.query(BACKFILL_TITLES_SQL);
    for (const [i, id] of legacy.entries()) {
      expect((await titleRow(id)).title).toBe(deriveConversationTitle(texts[i]));
    }
    expect((await titleRow(legacy[0])).title).toBe('Legacy conversation about things');
    expect((await titleRow(renamed)).title).toBe('Mine');
  });

  it('renames by PATCH, stores the title, and answers the updated summary', async () => {
    const user = await createTestUser(t, { role: 'owner' });
    const id = await chat(user, 'original wording', { conversationId: 'rename-me' });
    const response = await patch(user, id, {
      title: '  Trip to Lisbon  ',
      extra: 'ignored',
    }).expect(200);
    expect(response.body).toEqual({
      conversation_id: 'rename-me',
      message_count: 2,
      last_message: 'Echo: original wording',
      created_at: expect.any(String),
      updated_at: expect.any(String),
      title: 'Trip to Lisbon',
      archived: false,
      archived_at: null,
    });
    expect((await titleRow(id)).title).toBe('Trip to Lisbon');
    expect((await list(user)).body[0].title).toBe('Trip to Lisbon');
    // The rename survives later turns.
    await chat(user, 'next turn', { conversationId: id });
    expect((await titleRow(id)).title).toBe('Trip to Lisbon');
    const longest = 'é'.repeat(200);
    expect((await patch(user, id, { title: longest }).expect(200)).body.title).toBe(longest);
  });

  it('archives (hidden from the list), lists archived on request, and restores', async () => {
    const user = await createTestUser(t, { role: 'owner' });
    const kept = await chat(user, 'keep me');
    const archived = await chat(user, 'archive me');

    const done = await patch(user, archived, { archived: true }).expect(200);
    expect(done.body).toMatchObject({ conversation_id: archived, archived: true });
    expect(Date.parse(done.body.archived_at)).not.toBeNaN();
    expect((await titleRow(archived)).archived_at).not.toBeNull();
    // Archiving again keeps the first archived_at.
    const again = await patch(user, archived, { archived: true }).expect(200);
    expect(again.body.archived_at).toBe(done.body.archived_at);

    expect(ids((await list(user)).body)).toEqual([kept]);
    expect(ids((await list(user, 'include_archived=false')).body)).toEqual([kept]);
    const all = (await list(user, 'include_archived=true')).body;
    expect(ids(all)).toEqual([archived, kept]);
    expect(all.map((c) => c.archived)).toEqual([true, false]);
    const history = await t.http
      .get(`/api/v1/conversations/${archived}`)
      .set('Authorization', user.authorization)
      .expect(200);
    expect(history.body).toMatchObject({ archived: true, archived_at: done.body.archived_at });

    const restored = await patch(user, archived, { archived: false }).expect(200);
    expect(restored.body).toMatchObject({ archived: false, archived_at: null });
    expect((await titleRow(archived)).archived_at).toBeNull();
    expect(ids((await list(user)).body)).toEqual([archived, kept]);

    // Both fields at once.
    const both = await patch(user, kept, { title: 'Kept', archived: true }).expect(200);
    expect(both.body).toMatchObject({ title: 'Kept', archived: true });
  });

  it('filters by agent and updated_after', async () => {
    const user = await createTestUser(t, { role: 'owner' });
    const triage = await chat(user, 'general question');
    const code = await chat(user, 'fix my loop', { agent: 'code_assistant' });
    const data = await chat(user, 'chart my sales', { agent: 'data_analyst' });

    expect(ids((await list(user, 'agent=code_assistant')).body)).toEqual([code]);
    expect(ids((await list(user, 'agent=data_analyst')).body)).toEqual([data]);
    expect(ids((await list(user, 'agent=triage')).body)).toEqual([triage]);
    expect((await list(user, 'agent=nobody')).body).toEqual([]);

    const everything = (await list(user)).body;
    const triageUpdatedAt = everything.find((c) => c.conversation_id === triage)!.updated_at;
    // Strictly after: the conversation whose updated_at it is stays out.
    expect(
      ids((await list(user, `updated_after=${encodeURIComponent(triageUpdatedAt)}`)).body),
    ).toEqual([data, code]);
    expect(ids((await list(user, 'updated_after=2000-01-01T00:00:00Z')).body)).toEqual([
      data,
      code,
      triage,
    ]);
    expect((await list(user, 'updated_after=2999-01-01T00:00:00%2B02:00')).body).toEqual([]);
    // Combined with agent.
    expect(
      ids(
        (
          await list(
            user,
            `agent=code_assistant&updated_after=${encodeURIComponent(triageUpdatedAt)}`,
          )
        ).body,
      ),
    ).toEqual([code]);
  });

  it('searches titles and message content of the caller only, with LIKE wildcards literal', async () => {
    const user = await createTestUser(t, { role: 'owner' });
    const other = await createTestUser(t, { role: 'owner' });
    const colleague = await createTestUser(t, { role: 'owner', tenantId: user.tenantId });

    const inContent = await chat(user, 'a plain opening');
    await chat(user, 'later I mention the QUOKKA here', { conversationId: inContent });
    const inTitle = await chat(user, 'nothing special');
    await patch(user, inTitle, { title: 'Quokka research' }).expect(200);
    await chat(user, 'unrelated chatter');
    await chat(other, 'my own quokka notes');
    await chat(colleague, 'colleague quokka notes');
    const percent = await chat(user, 'get 100% of it');
    await chat(user, 'get 1000 of it');
    const underscore = await chat(user, 'snake_case names');
    await chat(user, 'snakeXcase names');

    expect(ids((await list(user, 'q=quokka')).body)).toEqual([inTitle, inContent]);
    // The other users' matching conversations never appear; their own search finds only theirs.
    expect((await list(other, 'q=quokka')).body).toHaveLength(1);
    expect((await list(colleague, 'q=QUOKKA')).body).toHaveLength(1);
    expect(ids((await list(user, 'q=100%25')).body)).toEqual([percent]);
    expect(ids((await list(user, 'q=snake_case')).body)).toEqual([underscore]);
    // Search matches the assistant's replies too (the fake echoes).
    expect(ids((await list(user, 'q=echo%3A%20later')).body)).toEqual([inContent]);
    // Archived matches are hidden unless asked for.
    await patch(user, inContent, { archived: true }).expect(200);
    expect(ids((await list(user, 'q=quokka')).body)).toEqual([inTitle]);
    expect(ids((await list(user, 'q=quokka&include_archived=true')).body)).toEqual([
      inTitle,
      inContent,
    ]);
  });

  it('pages a filtered list with the cursor, which stays valid for the same filters', async () => {
    const user = await createTestUser(t, { role: 'owner' });
    const matching: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      matching.push(await chat(user, `walrus report ${i}`));
      await chat(user, `penguin report ${i}`);
    }
    const archived = await chat(user, 'walrus archived');
    await patch(user, archived, { archived: true }).expect(200);
    const newestFirst = [...matching].reverse();

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await list(
        user,
        `q=walrus&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      seen.push(...ids(page.body));
      cursor = page.next;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(newestFirst);

    // With include_archived the archived match comes first, then the same pages.
    const first = await list(user, 'q=walrus&include_archived=true&limit=3');
    expect(ids(first.body)).toEqual([archived, ...newestFirst.slice(0, 2)]);
    const second = await list(
      user,
      `q=walrus&include_archived=true&limit=3&cursor=${encodeURIComponent(first.next!)}`,
    );
    expect(ids(second.body)).toEqual(newestFirst.slice(2));
    expect(second.next).toBeUndefined();
  });

  it('pages the messages of a long conversation, newest page first, each message once', async () => {
    const user = await createTestUser(t, { role: 'owner' });
    const id = await chat(user, 'turn 0', { conversationId: 'long-talk' });
    for (let i = 1; i < 7; i += 1) await chat(user, `turn ${i}`, { conversationId: id });

    const whole = await t.http
      .get(`/api/v1/conversations/${id}`)
      .set('Authorization', user.authorization)
      .expect(200);
    expect(whole.body.messages).toHaveLength(14);
    expect(whole.headers['x-messages-next-cursor']).toBeUndefined();

    const pages: Message[][] = [];
    let before: string | undefined;
    do {
      const response = await t.http
        .get(`/api/v1/conversations/${id}?messages_limit=4${before ? `&before=${before}` : ''}`)
        .set('Authorization', user.authorization)
        .expect(200);
      expect(response.body).toMatchObject({
        conversation_id: id,
        created_at: whole.body.created_at,
        updated_at: whole.body.updated_at,
        title: 'turn 0',
      });
      pages.push(response.body.messages as Message[]);
      before = response.headers['x-messages-next-cursor'];
    } while (before && pages.length < 10);

    expect(pages.map((page) => page.length)).toEqual([4, 4, 4, 2]);
    for (const page of pages) {
      const positions = page.map((m) => m.position);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
    const stitched = [...pages].reverse().flat();
    expect(stitched).toEqual(whole.body.messages);
    expect(stitched.map((m) => m.content).slice(0, 2)).toEqual(['turn 0', 'Echo: turn 0']);

    // `before` alone: everything older than that message; any message id of it works.
    const middle = whole.body.messages[5] as Message;
    const older = await t.http
      .get(`/api/v1/conversations/${id}?before=${middle.id}`)
      .set('Authorization', user.authorization)
      .expect(200);
    expect(older.body.messages).toEqual(whole.body.messages.slice(0, 5));
    expect(older.headers['x-messages-next-cursor']).toBeUndefined();
    // A message id of another conversation is not a cursor here.
    const elsewhere = await chat(user, 'elsewhere');
    const foreign = await t.http
      .get(`/api/v1/conversations/${elsewhere}`)
      .set('Authorization', user.authorization)
      .expect(200);
    const bad = await t.http
      .get(`/api/v1/conversations/${id}?before=${foreign.body.messages[1].id}`)
      .set('Authorization', user.authorization)
      .expect(422);
    expect(bad.body.details).toEqual([expect.objectContaining({ loc: ['query', 'before'] })]);
  });

  it("answers 404 for another user's or tenant's conversation, as GET does", async () => {
    const owner = await createTestUser(t, { role: 'owner' });
    const colleague = await createTestUser(t, { role: 'owner', tenantId: owner.tenantId });
    const stranger = await createTestUser(t, { role: 'owner' });
    const id = await chat(owner, 'mine alone', { conversationId: 'private-thread' });

    for (const intruder of [colleague, stranger]) {
      const read = await t.http
        .get(`/api/v1/conversations/${id}`)
        .set('Authorization', intruder.authorization)
        .expect(404);
      const response = await patch(intruder, id, { title: 'hijacked', archived: true }).expect(404);
      expect({ ...response.body, request_id: null }).toEqual({ ...read.body, request_id: null });
      expect(response.body).toMatchObject({
        code: 'conversation_not_found',
        message: `Conversation ${id} not found`,
      });
    }
    await patch(owner, 'never-existed', { title: 'x' }).expect(404);
    expect(await titleRow(id)).toEqual({ title: 'mine alone', archived_at: null });
  });

  it('refuses bad bodies and queries with the 422 envelope, writing nothing', async () => {
    const user = await createTestUser(t, { role: 'owner' });
    const id = await chat(user, 'validate me', { conversationId: 'validated' });

    const bodies: [unknown, (string | number)[], string][] = [
      [{}, ['body'], 'value_error'],
      [{ unknown: true }, ['body'], 'value_error'],
      [{ title: '' }, ['body', 'title'], 'string_too_short'],
      [{ title: '   ' }, ['body', 'title'], 'string_too_short'],
      [{ title: 'x'.repeat(201) }, ['body', 'title'], 'string_too_long'],
      // 201 code points that class-validator alone would count as 101 characters.
      [{ title: `x${'☺\ufe0f'.repeat(100)}` }, ['body', 'title'], 'string_too_long'],
      [{ title: 5 }, ['body', 'title'], 'string_type'],
      [{ title: null }, ['body', 'title'], 'string_type'],
      [{ title: 'ok\u0000' }, ['body', 'title'], 'value_error'],
      [{ title: 'ok\ud800' }, ['body', 'title'], 'string_unicode'],
      [{ archived: 'yes' }, ['body', 'archived'], 'bool_parsing'],
      [{ archived: 1 }, ['body', 'archived'], 'bool_type'],
      [{ archived: null }, ['body', 'archived'], 'bool_type'],
      [[{ title: 'array' }], ['body'], 'model_attributes_type'],
    ];
    for (const [body, loc, type] of bodies) {
      const response = await patch(user, id, body).expect(422);
      expect(response.body).toMatchObject({
        error: 'ValidationError',
        code: 'validation_error',
        message: 'Request validation failed.',
      });
      expect(response.body.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ loc, type })]),
      );
    }
    expect(await titleRow(id)).toEqual({ title: 'validate me', archived_at: null });

    const queries: [string, string, string][] = [
      ['updated_after=yesterday', 'updated_after', 'datetime_from_date_parsing'],
      ['updated_after=2024-01-01', 'updated_after', 'datetime_from_date_parsing'],
      ['updated_after=2024-02-30T00:00:00Z', 'updated_after', 'datetime_from_date_parsing'],
      ['updated_after=2024-01-01T00:00:00', 'updated_after', 'datetime_from_date_parsing'],
      ['updated_after=2024-W01-1T00:00:00Z', 'updated_after', 'datetime_from_date_parsing'],
      ['updated_after=0000-01-01T00:00:00Z', 'updated_after', 'datetime_from_date_parsing'],
      ['include_archived=maybe', 'include_archived', 'bool_parsing'],
      ['q=', 'q', 'string_too_short'],
      [`q=${'q'.repeat(201)}`, 'q', 'string_too_long'],
      [`agent=${'a'.repeat(65)}`, 'agent', 'string_too_long'],
      ['agent=a&agent=b', 'agent', 'string_type'],
    ];
    for (const [query, field, type] of queries) {
      const response = await t.http
        .get(`/api/v1/conversations?${query}`)
        .set('Authorization', user.authorization)
        .expect(422);
      expect(response.body.code).toBe('validation_error');
      expect(response.body.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ loc: ['query', field], type })]),
      );
    }

    for (const [query, type] of [
      ['messages_limit=0', 'greater_than_equal'],
      ['messages_limit=501', 'less_than_equal'],
      ['messages_limit=ten', 'int_parsing'],
      ['before=abc', 'string_pattern_mismatch'],
      ['before=0', 'string_pattern_mismatch'],
      [`before=${'9'.repeat(19)}`, 'string_pattern_mismatch'],
    ]) {
      const response = await t.http
        .get(`/api/v1/conversations/${id}?${query}`)
        .set('Authorization', user.authorization)
        .expect(422);
      expect(response.body.code).toBe('validation_error');
      expect(response.body.details).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ loc: ['query', query.split('=')[0]], type }),
        ]),
      );
    }
    // A syntactically fine id that is no message of any conversation.
    await t.http
      .get(`/api/v1/conversations/${id}?before=${'9'.repeat(18)}`)
      .set('Authorization', user.authorization)
      .expect(422);
  });
});
