import { randomUUID } from 'node:crypto';
import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import { startOpenAIFake, type OpenAIFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';
import { conversationRow, messageRows } from './chat-db';
import { postStream } from './sse-client';

/**
 * Idempotent chat sends (decision C9, docs/chat-idempotency.md): a retried send with the same
 * `client_message_id` / `Idempotency-Key` replays the first answer and runs the model once.
 */
describe('idempotent chat sends', () => {
  let t: TestApp;
  let fake: OpenAIFake;
  let user: TestUser;
  let other: TestUser;

  beforeAll(async () => {
    fake = await startOpenAIFake();
    t = await startTestApp({
      env: {
        OPENAI_API_KEY: 'sk-idem-test',
        OPENAI_BASE_URL: fake.baseURL,
        OPENAI_API_FLAVOR: 'responses',
      },
    });
    user = await createTestUser(t, { role: 'owner' });
    other = await createTestUser(t, { role: 'member', tenantId: user.tenantId });
  });

  afterEach(() => fake.reset());

  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  const send = (who: TestUser, body: Record<string, unknown>, header?: string) => {
    const request = t.http.post('/api/v1/chat').set('Authorization', who.authorization);
    if (header !== undefined) request.set('Idempotency-Key', header);
    return request.send(body);
  };

  it('replays a retried POST /chat with the same client_message_id; the model runs once', async () => {
    const key = randomUUID();
    fake.enqueueText('Only once.');
    const first = await send(user, { message: 'Answer once', client_message_id: key }).expect(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const remaining = Number(first.headers['ratelimit-remaining']);

    const second = await send(user, { message: 'Answer once', client_message_id: key }).expect(200);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    // A replay consumes no rate limit: it carries no RateLimit headers, and the next send
    // counts from where the first left off.
    expect(second.headers['ratelimit-remaining']).toBeUndefined();
    expect(fake.modelRequests()).toHaveLength(1);

    const conversation = await conversationRow(t, user.userId, first.body.conversation_id);
    const rows = await messageRows(t, conversation!.id);
    expect(rows.filter((row) => row.role === 'assistant')).toHaveLength(1);

    fake.enqueueText('Another.');
    const next = await send(user, { message: 'Something else' }).expect(200);
    expect(Number(next.headers['ratelimit-remaining'])).toBe(remaining - 1);
  });

  it('does the same with the Idempotency-Key header, and accepts both when they agree', async () => {
    const key = `hdr-${randomUUID()}`;
    fake.enqueueText('Header answer.');
    const first = await send(user, { message: 'Via header' }, key).expect(200);
    const second = await send(user, { message: 'Via header' }, key).expect(200);
    const third = await send(user, { message: 'Via header', client_message_id: key }, key).expect(
      200,
    );
    expect(second.body).toEqual(first.body);
    expect(third.body).toEqual(first.body);
    expect(third.headers['idempotent-replayed']).toBe('true');
    expect(fake.modelRequests()).toHaveLength(1);
  });

  it('replays a retried stream frame for frame; the model runs once', async () => {
    const key = randomUUID();
    fake.enqueueText('Streamed only once, really.');
    const body = { message: 'Stream once', client_message_id: key };
    const first = await postStream(t.url, user.authorization, body);
    expect(first.status).toBe(200);
    expect(first.text).toBe('Streamed only once, really.');
    const final = first.frames[first.frames.length - 1];
    expect(final).toMatchObject({ is_complete: true, message_id: expect.any(Number) });

    const second = await postStream(t.url, user.authorization, body);
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.text).toBe(first.text);
    expect(second.raw[second.raw.length - 1]).toBe(first.raw[first.raw.length - 1]);
    // From the run's frame log: the same frames, byte for byte (event ids line up with a resume).
    expect(second.raw).toEqual(first.raw);
    expect(second.headers.get('x-run-id')).toBe(first.headers.get('x-run-id'));
    expect(second.frames.every((f) => f.conversation_id === final.conversation_id)).toBe(true);
    expect(second.frames.slice(0, -1).every((f) => f.agent_used === 'triage')).toBe(true);
    expect(fake.modelRequests()).toHaveLength(1);

    // The key is per endpoint: the same key on POST /chat is another request.
    const sync = await send(user, { message: 'Stream once', client_message_id: key }).expect(422);
    expect(sync.body.code).toBe('idempotency_key_reused');
  });

  it('refuses a duplicate while the first is still running with 409 request_in_progress', async () => {
    const key = randomUUID();
    fake.enqueueText('Slow answer.', { firstChunkDelayMs: 1500 });
    const body = { message: 'Slow one', client_message_id: key };
    const first = send(user, body).then((response) => response);
    await fake.waitForRequest(() => true);
    const duplicate = await send(user, body).expect(409);
    expect(duplicate.body).toMatchObject({ success: false, code: 'request_in_progress' });
    const streamed = await postStream(t.url, user.authorization, {
      ...body,
      client_message_id: `${key}-s`,
    });
    expect(streamed.status).toBe(200);
    const done = await first;
    expect(done.status).toBe(200);
    expect(done.body.response).toBe('Slow answer.');
    // The first (slow) send and the stream with another key ran; the duplicate did not.
    expect(fake.modelRequests()).toHaveLength(2);
  });

  it('refuses a duplicate stream while the first streams; a dropped stream that completes is replayed', async () => {
    const key = randomUUID();
    fake.enqueueText('one two three four five six', { chunkDelayMs: 150 });
    const body = { message: 'Stream, drop, retry', client_message_id: key };
    const drop = new AbortController();
    let duplicate: Promise<Awaited<ReturnType<typeof postStream>>> | undefined;
    const seen: string[] = [];
    await postStream(t.url, user.authorization, body, {
      signal: drop.signal,
      onFrame: (frame) => {
        seen.push(frame.chunk);
        if (seen.length === 1) duplicate = postStream(t.url, user.authorization, body);
        if (seen.length === 2) drop.abort();
      },
    }).catch(() => undefined);
    const refused = await duplicate!;
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'request_in_progress' });

    // The dropped stream's run goes on (resume grace) and completes: the retry replays it whole.
    let retry: Awaited<ReturnType<typeof postStream>>;
    const deadline = Date.now() + 5000;
    do {
      await new Promise((resolve) => setTimeout(resolve, 100));
      retry = await postStream(t.url, user.authorization, body);
    } while (retry.status === 409 && Date.now() < deadline);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.text).toBe('one two three four five six');
    expect(retry.frames[retry.frames.length - 1]).toMatchObject({ status: 'completed' });
    expect(fake.modelRequests()).toHaveLength(1);
  });

  it('refuses the same key with another message: 422 idempotency_key_reused', async () => {
    const key = randomUUID();
    fake.enqueueText('First.');
    await send(user, { message: 'One', client_message_id: key }).expect(200);
    const reused = await send(user, { message: 'Two', client_message_id: key }).expect(422);
    expect(reused.body).toMatchObject({ success: false, code: 'idempotency_key_reused' });
    expect(fake.modelRequests()).toHaveLength(1);
  });

  it('scopes keys per user: another user with the same key runs normally', async () => {
    const key = randomUUID();
    fake.enqueueText('For the first user.');
    fake.enqueueText('For the other user.');
    const mine = await send(user, { message: 'Same', client_message_id: key }).expect(200);
    const theirs = await send(other, { message: 'Same', client_message_id: key }).expect(200);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.body.response).toBe('For the other user.');
    expect(theirs.body.conversation_id).not.toBe(mine.body.conversation_id);
    expect(fake.modelRequests()).toHaveLength(2);
  });

  it('lets the retry of a failed send run again', async () => {
    const key = randomUUID();
    fake.enqueueError(500, { shouldRetry: false });
    const failed = await send(user, { message: 'Flaky', client_message_id: key });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    fake.enqueueText('Worked now.');
    const retried = await send(user, { message: 'Flaky', client_message_id: key }).expect(200);
    expect(retried.body.response).toBe('Worked now.');
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(fake.modelRequests()).toHaveLength(2);
  });

  it('lets the retry of a failed stream run again', async () => {
    const key = randomUUID();
    fake.enqueueError(500, { shouldRetry: false });
    const body = { message: 'Flaky stream', client_message_id: key };
    const failed = await postStream(t.url, user.authorization, body);
    expect(failed.frames[failed.frames.length - 1].code).toBeDefined();
    fake.enqueueText('Stream worked.');
    const retried = await postStream(t.url, user.authorization, body);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(retried.text).toBe('Stream worked.');
    expect(fake.modelRequests()).toHaveLength(2);
  });

  it.each([
    ['an empty body key', { client_message_id: '' }, undefined, ['body', 'client_message_id']],
    [
      'a long body key',
      { client_message_id: 'x'.repeat(129) },
      undefined,
      ['body', 'client_message_id'],
    ],
    [
      'a non-printable body key',
      { client_message_id: 'a\tb' },
      undefined,
      ['body', 'client_message_id'],
    ],
    ['a non-string body key', { client_message_id: 42 }, undefined, ['body', 'client_message_id']],
    ['a long header', {}, 'y'.repeat(129), ['header', 'idempotency-key']],
    ['body and header disagreeing', { client_message_id: 'a' }, 'b', ['header', 'idempotency-key']],
  ])('refuses %s with 422 and runs nothing', async (_label, extra, header, loc) => {
    const response = await send(user, { message: 'Bad key', ...extra }, header).expect(422);
    expect(response.body.details).toEqual([expect.objectContaining({ loc })]);
    expect(fake.modelRequests()).toHaveLength(0);
  });

  it('behaves as before without a key: every send runs', async () => {
    fake.enqueueText('A.');
    fake.enqueueText('B.');
    const a = await send(user, { message: 'No key' }).expect(200);
    const b = await send(user, { message: 'No key' }).expect(200);
    expect(a.body.response).toBe('A.');
    expect(b.body.response).toBe('B.');
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(fake.modelRequests()).toHaveLength(2);
  });
});
