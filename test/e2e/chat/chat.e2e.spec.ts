import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import { conversationOf, startOpenAIFake, userTextsOf, type OpenAIFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';
import { conversationRow, messageRows, sessionItems, waitUntil } from './chat-db';
import { postStream } from './sse-client';

/**
 * Chat over HTTP through the real Agents SDK against the OpenAI protocol fake, in both wire
 * formats (decisions C2-C4, C7).
 */
describe.each([
  ['Responses', 'responses', 'responses'],
  ['Chat Completions', 'chat_completions', 'chat.completions'],
])('chat over the %s API', (_label, flavor, api) => {
  let t: TestApp;
  let fake: OpenAIFake;
  let user: TestUser;

  beforeAll(async () => {
    fake = await startOpenAIFake();
    t = await startTestApp({
      env: {
        OPENAI_API_KEY: 'sk-chat-test',
        OPENAI_BASE_URL: fake.baseURL,
        OPENAI_API_FLAVOR: flavor,
        CHAT_STREAM_CONCURRENT_LIMIT: '1',
        // The disconnect test is about the immediate stop (incomplete reply, slot freed), not
        // the resume grace a disconnected stream otherwise keeps running for.
        CHAT_STREAM_RESUME_GRACE_SECONDS: '0',
      },
    });
    user = await createTestUser(t, { role: 'owner' });
  });

  afterEach(() => fake.reset());

  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('returns the model text and stores both turns with usage', async () => {
    fake.enqueueText('Hello from the fake.', { usage: { input_tokens: 21, output_tokens: 5 } });
    const response = await t.http
      .post('/api/v1/chat')
      .set('Authorization', user.authorization)
      .send({ message: 'Say hello', agent_type: 'triage' })
      .expect(200);

    expect(response.body).toEqual({
      response: 'Hello from the fake.',
      conversation_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      agent_used: 'triage',
      handoff_occurred: false,
      metadata: {
        model_used: 'gpt-4.1-2025-04-14',
        tools_available: ['tavily_search_tool', 'get_current_time', 'search_conversations'],
        usage: expect.objectContaining({ input_tokens: 21, output_tokens: 5, total_tokens: 26 }),
        message_id: expect.any(Number),
        run_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
    });
    expect(response.headers['x-run-id']).toBe(response.body.metadata.run_id);
    expect(response.headers['ratelimit-limit']).toBe('60');
    const recorded = fake.lastRequest()!;
    expect(recorded.api).toBe(api);
    expect(recorded.headers.authorization).toBe('Bearer sk-chat-test');
    expect(recorded.model).toBe('gpt-4.1-2025-04-14');
    // Our id is never sent as a provider-side conversation (decision C3).
    expect(recorded.body.conversation).toBeUndefined();

    const conversation = await conversationRow(t, user.userId, response.body.conversation_id);
    expect(conversation).toMatchObject({
      tenant_id: user.tenantId,
      message_count: 2,
      total_tokens_prompt: 21,
      total_tokens_completion: 5,
      active_agent: 'triage',
    });
    expect(await messageRows(t, conversation!.id)).toEqual([
      expect.objectContaining({
        position: 0,
        role: 'user',
        text: 'Say hello',
        status: 'completed',
      }),
      expect.objectContaining({
        position: 1,
        role: 'assistant',
        text: 'Hello from the fake.',
        status: 'completed',
        agent_type: 'triage',
        token_count_prompt: 21,
        token_count_completion: 5,
      }),
    ]);
    const runs: { run_id: string; last_run_id: string }[] = await t.dataSource.query(
      `SELECT m.run_id, c.last_run_id FROM agent_messages m
         JOIN agent_conversations c ON c.id = m.conversation_id
        WHERE c.id = $1 ORDER BY m.position`,
      [conversation!.id],
    );
    expect(runs[0].run_id).toBe(response.body.metadata.run_id);
    expect(runs[1].run_id).toBe(runs[0].run_id);
    expect(runs[1].last_run_id).toBe(runs[0].run_id);
  });

  it('sends the earlier turns as context on a follow-up and accumulates usage', async () => {
    fake.enqueueText('Nice to meet you, Ada.', { usage: { input_tokens: 10, output_tokens: 6 } });
    const first = await t.http
      .post('/api/v1/chat')
      .set('Authorization', user.authorization)
      .send({ message: 'My name is Ada.' })
      .expect(200);
    const conversationId: string = first.body.conversation_id;

    fake.enqueueText('Your name is Ada.', { usage: { input_tokens: 30, output_tokens: 5 } });
    const second = await t.http
      .post('/api/v1/chat')
      .set('Authorization', user.authorization)
      .send({ message: 'What is my name?', conversation_id: conversationId })
      .expect(200);

    expect(second.body).toMatchObject({
      response: 'Your name is Ada.',
      conversation_id: conversationId,
    });
    const recorded = fake.lastRequest()!;
    expect(userTextsOf(recorded)).toEqual(['My name is Ada.', 'What is my name?']);
    expect(conversationOf(recorded).map((m) => m.text)).toContain('Nice to meet you, Ada.');
    const conversation = await conversationRow(t, user.userId, conversationId);
    expect(conversation).toMatchObject({
      message_count: 4,
      total_tokens_prompt: 40,
      total_tokens_completion: 11,
    });
  });

  it('streams chunks that concatenate to the reply, then exactly one final frame', async () => {
    fake.enqueueText('Streaming works fine, naïve café ✓', {
      chunks: ['Streaming', ' works', ' fine,', ' naïve', ' café ✓'],
      usage: { input_tokens: 12, output_tokens: 9 },
    });
    const outcome = await postStream(t.url, user.authorization, { message: 'Stream please' });

    expect(outcome.status).toBe(200);
    expect(outcome.headers.get('content-type')).toBe('text/event-stream');
    expect(outcome.headers.get('x-accel-buffering')).toBe('no');
    expect(outcome.headers.get('cache-control')).toContain('no-cache');
    const conversationId = outcome.frames[0].conversation_id;
    const runId = outcome.headers.get('x-run-id')!;
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(outcome.raw[0]).toBe(
      `{"chunk":"Streaming","conversation_id":"${conversationId}","is_complete":false,"agent_used":"triage","run_id":"${runId}","event_id":"1"}`,
    );
    expect(outcome.text).toBe('Streaming works fine, naïve café ✓');
    const finals = outcome.frames.filter((frame) => frame.is_complete);
    expect(finals).toHaveLength(1);
    expect(outcome.frames[outcome.frames.length - 1]).toEqual({
      chunk: '',
      conversation_id: conversationId,
      is_complete: true,
      agent_used: 'triage',
      usage: expect.objectContaining({ input_tokens: 12, output_tokens: 9, total_tokens: 21 }),
      message_id: expect.any(Number),
      status: 'completed',
      run_id: runId,
      event_id: String(outcome.frames.length),
    });
    expect(outcome.frames.every((frame) => frame.conversation_id === conversationId)).toBe(true);
    expect(outcome.frames.every((frame) => frame.run_id === runId)).toBe(true);
    expect(outcome.frames.map((frame) => frame.event_id)).toEqual(
      outcome.frames.map((_frame, index) => String(index + 1)),
    );
    expect(fake.lastRequest()?.stream).toBe(true);
  });

  it('persists streamed and plain turns alike (transcript, memory, usage)', async () => {
    fake.enqueueText('Plain answer.', { usage: { input_tokens: 7, output_tokens: 3 } });
    const plain = await t.http
      .post('/api/v1/chat')
      .set('Authorization', user.authorization)
      .send({ message: 'Question one' })
      .expect(200);
    fake.enqueueText('Streamed answer.', { usage: { input_tokens: 7, output_tokens: 3 } });
    const streamed = await postStream(t.url, user.authorization, { message: 'Question one' });
    const streamedId = streamed.frames[0].conversation_id;

    const plainRow = await conversationRow(t, user.userId, plain.body.conversation_id);
    const streamedRow = await conversationRow(t, user.userId, streamedId);
    const shape = (row: typeof plainRow) => ({
      message_count: row?.message_count,
      total_tokens_prompt: row?.total_tokens_prompt,
      total_tokens_completion: row?.total_tokens_completion,
      active_agent: row?.active_agent,
    });
    expect(shape(streamedRow)).toEqual(shape(plainRow));
    const strip = (rows: Awaited<ReturnType<typeof messageRows>>) =>
      rows.map(({ text: _text, ...rest }) => rest);
    expect(strip(await messageRows(t, streamedRow!.id))).toEqual(
      strip(await messageRows(t, plainRow!.id)),
    );
    expect((await messageRows(t, streamedRow!.id))[1].text).toBe('Streamed answer.');

    const kinds = (items: unknown[]) =>
      items.map((item) => {
        const typed = item as { type?: string; role?: string };
        return `${typed.type ?? 'message'}:${typed.role ?? ''}`;
      });
    const plainMemory = await sessionItems(t, plainRow!.sdk_session_id!);
    expect(kinds(await sessionItems(t, streamedRow!.sdk_session_id!))).toEqual(kinds(plainMemory));
    expect(kinds(plainMemory)).toEqual(['message:user', 'message:assistant']);
  });

  it('stores an incomplete reply when the client disconnects, and frees the stream slot', async () => {
    fake.enqueueText('one two three four five six seven eight nine ten', { chunkDelayMs: 80 });
    const controller = new AbortController();
    let conversationId = '';
    const aborted = postStream(
      t.url,
      user.authorization,
      { message: 'Tell me a long story' },
      {
        signal: controller.signal,
        onFrame: (frame) => {
          conversationId = frame.conversation_id;
          if (frame.chunk.includes('two')) controller.abort();
        },
      },
    ).catch((error: unknown) => error);
    await aborted;

    const upstream = await fake.waitForAbort(5000);
    expect(upstream.chunksSent).toBeLessThan(10);
    const conversation = await waitUntil(async () => {
      const row = await conversationRow(t, user.userId, conversationId);
      return row && row.message_count === 2 ? row : undefined;
    });
    const rows = await messageRows(t, conversation.id);
    expect(rows[1]).toMatchObject({ role: 'assistant', status: 'incomplete' });
    expect(rows[1].text.startsWith('one two')).toBe(true);
    expect(rows[1].text.length).toBeLessThan(
      'one two three four five six seven eight nine ten'.length,
    );

    // The slot of the aborted stream is free: with a limit of 1, another stream starts.
    const slotKey = `rate-limit:concurrency:chat_stream_concurrency:${user.tenantId}:${user.userId}`;
    await waitUntil(async () => (await t.redis.client.zcard(slotKey)) === 0);
    fake.enqueueText('Back again.');
    const next = await postStream(t.url, user.authorization, {
      message: 'Continue',
      conversation_id: conversationId,
    });
    expect(next.status).toBe(200);
    expect(next.text).toBe('Back again.');
    // The partial reply is part of the memory the model sees next.
    expect(JSON.stringify(fake.lastRequest()?.body)).toContain('one two');
  });

  it('refuses a second concurrent stream with the concurrency 429 and a short Retry-After', async () => {
    fake.enqueueText('slow and steady wins', { chunkDelayMs: 60 });
    let firstFrame: () => void = () => undefined;
    const opened = new Promise<void>((resolve) => (firstFrame = resolve));
    const first = postStream(
      t.url,
      user.authorization,
      { message: 'first stream' },
      { onFrame: () => firstFrame() },
    );
    await opened;
    const second = await postStream(t.url, user.authorization, { message: 'second stream' });
    expect(second.status).toBe(429);
    const retryAfter = Number(second.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(5);
    expect(second.body).toMatchObject({
      message: `Rate limit exceeded (chat_stream_concurrency). Retry after ${retryAfter}s.`,
    });
    const done = await first;
    expect(done.text).toBe('slow and steady wins');
  });

  it('forgets a deleted conversation: the same id starts without earlier context', async () => {
    const id = `memory-thread-${flavor}`;
    fake.enqueueText('Noted: the code word is pelican.');
    await t.http
      .post('/api/v1/chat')
      .set('Authorization', user.authorization)
      .send({ message: 'The code word is pelican.', conversation_id: id })
      .expect(200);
    const before = await conversationRow(t, user.userId, id);
    expect(await sessionItems(t, before!.sdk_session_id!)).toHaveLength(2);

    await t.http
      .delete(`/api/v1/conversations/${id}`)
      .set('Authorization', user.authorization)
      .expect(204);
    expect(await conversationRow(t, user.userId, id)).toBeUndefined();
    expect(await sessionItems(t, before!.sdk_session_id!)).toHaveLength(0);

    fake.enqueueText('I do not know any code word.');
    const again = await t.http
      .post('/api/v1/chat')
      .set('Authorization', user.authorization)
      .send({ message: 'What is the code word?', conversation_id: id })
      .expect(200);
    expect(again.body.conversation_id).toBe(id);
    const recorded = fake.lastRequest()!;
    expect(userTextsOf(recorded)).toEqual(['What is the code word?']);
    expect(JSON.stringify(recorded.body)).not.toContain('pelican');
  });

  it('reports a model failure after the stream started as an in-band error frame', async () => {
    fake.enqueueError(500, { shouldRetry: false });
    const outcome = await postStream(t.url, user.authorization, { message: 'Fail please' });
    expect(outcome.status).toBe(200);
    expect(outcome.frames).toHaveLength(1);
    const [frame] = outcome.frames;
    expect(frame).toEqual({
      error: 'Error processing chat request: the model provider returned an error.',
      conversation_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      is_complete: true,
      chunk: '',
      code: 'model_error',
      run_id: outcome.headers.get('x-run-id'),
      event_id: '1',
    });
    expect(frame.run_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(outcome.raw[0].startsWith('{"error": "Error processing chat request')).toBe(true);
    expect(outcome.raw[0].endsWith(`, "run_id": "${frame.run_id}", "event_id": "1"}`)).toBe(true);
    // The user message was stored under the id the frame reports.
    const row = await conversationRow(t, user.userId, frame.conversation_id);
    expect(row?.message_count).toBe(1);

    fake.enqueueError(500, { shouldRetry: false, message: 'secret upstream detail' });
    const plain = await t.http
      .post('/api/v1/chat')
      .set('Authorization', user.authorization)
      .send({ message: 'Fail again' })
      .expect(502);
    expect(plain.body).toMatchObject({
      success: false,
      code: 'model_error',
      message: 'Error processing chat request: the model provider returned an error.',
    });
    expect(JSON.stringify(plain.body)).not.toContain('secret upstream detail');
  });
});
