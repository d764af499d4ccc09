import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import { startOpenAIFake, type OpenAIFake } from '../../support/fakes';
import { readSse } from '../../support/sse-reader';
import { newRedisKeyPrefix, startTestApp, type TestApp } from '../../support/test-app';
import { messageRows, waitUntil } from './chat-db';
import { postStream } from './sse-client';

/** A frame of the chat stream with the run fields of decision C11. */
interface RunFrame {
  chunk: string;
  conversation_id: string;
  is_complete: boolean;
  agent_used?: string;
  status?: string;
  message_id?: number | null;
  error?: string;
  run_id: string;
  event_id: string;
}

const WORDS = 'one two three four five six seven eight nine ten';

/** `GET /api/v1/chat/runs/{id}/stream`, read to its end (or until `stopAfter` frames). */
async function resumeStream(
  t: TestApp,
  user: TestUser,
  runId: string,
  resume: { query?: string; header?: string } = {},
): Promise<{ status: number; frames: RunFrame[]; body?: unknown; contentType: string | null }> {
  const query = resume.query === undefined ? '' : `?last_event_id=${resume.query}`;
  const headers: Record<string, string> = { Authorization: user.authorization };
  if (resume.header !== undefined) headers['Last-Event-ID'] = resume.header;
  const response = await fetch(`${t.url}/api/v1/chat/runs/${runId}/stream${query}`, { headers });
  const contentType = response.headers.get('content-type');
  if (!response.ok || !response.body) {
    return { status: response.status, frames: [], body: await response.json(), contentType };
  }
  const read = await readSse(response.body);
  const frames = read.events.map((event) => JSON.parse(event.data) as RunFrame);
  return { status: response.status, frames, contentType };
}

function cancelRun(t: TestApp, user: TestUser, runId: string) {
  return t.http
    .post(`/api/v1/chat/runs/${runId}/cancel`)
    .set('Authorization', user.authorization)
    .send();
}

function eventIds(frames: RunFrame[]): number[] {
  return frames.map((frame) => Number(frame.event_id));
}

describe('chat runs: cancel and resume from any replica (decision C11)', () => {
  let fake: OpenAIFake;
  let a: TestApp;
  let b: TestApp;
  let user: TestUser;
  let stranger: TestUser;

  beforeAll(async () => {
    fake = await startOpenAIFake();
    const env = {
      OPENAI_API_KEY: 'sk-runs',
      OPENAI_BASE_URL: fake.baseURL,
      REDIS_KEY_PREFIX: newRedisKeyPrefix(),
      // One keyset for both replicas, so a token issued by one is honoured by the other.
      AUTH_KEY_STORAGE_PATH: join(mkdtempSync(join(tmpdir(), 'aa-runs-keys-')), 'keyset.json'),
    };
    // One after the other: the first creates the shared keyset, the second loads it.
    a = await startTestApp({ env });
    b = await startTestApp({ env });
    user = await createTestUser(a, { role: 'member' });
    stranger = await createTestUser(a, { role: 'member', tenantId: user.tenantId });
  });

  afterAll(async () => {
    await a.close();
    await b.close();
    await fake.close();
  });

  it('cancel on replica b stops a stream served by replica a within a second', async () => {
    fake.reset();
    fake.enqueueText(WORDS, { chunkDelayMs: 120 });
    const frames: RunFrame[] = [];
    let cancelled: Promise<{ status: number; body: Record<string, unknown>; at: number }> | null =
      null;
    let finalAt = 0;
    const outcome = await postStream(
      a.url,
      user.authorization,
      { message: 'count slowly' },
      {
        onFrame: (raw) => {
          const frame = raw as unknown as RunFrame;
          frames.push(frame);
          if (frame.is_complete) finalAt = performance.now();
          if (frames.length === 2 && !cancelled) {
            const at = performance.now();
            cancelled = cancelRun(b, user, frame.run_id).then((r) => ({
              status: r.status,
              body: r.body as Record<string, unknown>,
              at,
            }));
          }
        },
      },
    );
    expect(outcome.status).toBe(200);
    const runId = outcome.headers.get('x-run-id');
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    const cancel = await cancelled!;
    expect(cancel.status).toBe(200);
    expect(cancel.body).toEqual({
      run_id: runId,
      conversation_id: frames[0].conversation_id,
      status: 'cancelled',
      message_id: expect.any(Number),
    });
    expect(finalAt - cancel.at).toBeLessThan(1000);
    await fake.waitForAbort();

    const last = frames[frames.length - 1];
    expect(last).toMatchObject({
      is_complete: true,
      status: 'cancelled',
      run_id: runId,
      message_id: cancel.body.message_id,
    });
    expect(frames.filter((frame) => frame.is_complete)).toHaveLength(1);
    expect(eventIds(frames)).toEqual(frames.map((_, i) => i + 1));
    expect(frames.every((frame) => frame.run_id === runId)).toBe(true);

    const conversation: { id: string }[] = await a.dataSource.query(
      'SELECT id FROM agent_conversations WHERE conversation_key = $1',
      [frames[0].conversation_id],
    );
    const rows = await messageRows(a, conversation[0].id);
    expect(rows.map((row) => [row.role, row.status])).toEqual([
      ['user', 'completed'],
      ['assistant', 'incomplete'],
    ]);
    expect(rows[1].text).toBe(outcome.text);
    expect(outcome.text.length).toBeLessThan(WORDS.length);

    // Cancelling again answers with the run's final state; the slot is free for a new stream.
    const again = await cancelRun(a, user, runId!).expect(200);
    expect(again.body).toMatchObject({ status: 'cancelled', run_id: runId });
    fake.enqueueText('next');
    const next = await postStream(a.url, user.authorization, { message: 'again' });
    expect(next.text).toBe('next');
  });

  it('a dropped stream resumed on replica b yields exactly the missing frames, then the live rest', async () => {
    fake.enqueueText(WORDS, { chunkDelayMs: 100 });
    const drop = new AbortController();
    const seen: RunFrame[] = [];
    await postStream(
      a.url,
      user.authorization,
      { message: 'count for me' },
      {
        signal: drop.signal,
        onFrame: (frame) => {
          seen.push(frame as unknown as RunFrame);
          if (seen.length === 3) drop.abort();
        },
      },
    ).catch(() => undefined);
    expect(seen).toHaveLength(3);
    const runId = seen[0].run_id;

    const resumed = await resumeStream(b, user, runId, { query: '3' });
    expect(resumed.status).toBe(200);
    expect(resumed.contentType).toBe('text/event-stream');
    const all = [...seen, ...resumed.frames];
    expect(eventIds(all)).toEqual(all.map((_, i) => i + 1));
    const finals = all.filter((frame) => frame.is_complete);
    expect(finals).toHaveLength(1);
    expect(finals[0]).toMatchObject({ status: 'completed', run_id: runId });
    const text = all
      .filter((frame) => !frame.is_complete)
      .map((frame) => frame.chunk)
      .join('');
    expect(text).toBe(WORDS);
    // The run went on without its client: the reply is stored whole, and the model ran once.
    const conversation: { id: string }[] = await a.dataSource.query(
      'SELECT id FROM agent_conversations WHERE conversation_key = $1',
      [seen[0].conversation_id],
    );
    const rows = await messageRows(a, conversation[0].id);
    expect(rows[1]).toMatchObject({ role: 'assistant', status: 'completed', text: WORDS });

    // After the run ended, Last-Event-ID (which wins over the query) replays the rest and ends.
    const late = await resumeStream(a, user, runId, { header: '8', query: '1' });
    expect(eventIds(late.frames)).toEqual(eventIds(all).filter((id) => id > 8));
    expect(late.frames[late.frames.length - 1]).toMatchObject({ is_complete: true });
    const whole = await resumeStream(b, user, runId);
    expect(whole.frames.map((frame) => frame.event_id)).toEqual(all.map((f) => f.event_id));
  });

  it('runs are their owner’s only; malformed resume points are a 422', async () => {
    fake.enqueueText('mine');
    const outcome = await postStream(a.url, user.authorization, { message: 'private' });
    const runId = outcome.headers.get('x-run-id')!;

    const foreign = await cancelRun(b, stranger, runId).expect(404);
    expect(foreign.body).toMatchObject({ success: false, code: 'run_not_found' });
    expect((await resumeStream(b, stranger, runId)).status).toBe(404);
    await cancelRun(a, user, 'not-a-run').expect(404);
    await cancelRun(a, user, randomUUID()).expect(404);

    const malformed = await resumeStream(a, user, runId, { query: 'abc' });
    expect(malformed.status).toBe(422);
    expect(malformed.body).toMatchObject({
      code: 'validation_error',
      details: [expect.objectContaining({ loc: ['query', 'last_event_id'] })],
    });
    const badHeader = await resumeStream(a, user, runId, { header: '-1' });
    expect(badHeader.status).toBe(422);

    // A plain POST /chat is a run too (X-Run-Id, metadata.run_id), but has no stream to resume.
    fake.enqueueText('plain');
    const plain = await a.http
      .post('/api/v1/chat')
      .set('Authorization', user.authorization)
      .send({ message: 'plain' })
      .expect(200);
    const plainRun = plain.headers['x-run-id'];
    expect(plain.body.metadata.run_id).toBe(plainRun);
    const notStreamed = await resumeStream(b, user, plainRun);
    expect(notStreamed.status).toBe(409);
    expect(notStreamed.body).toMatchObject({ code: 'run_not_streamed' });
    const ended = await cancelRun(b, user, plainRun).expect(200);
    expect(ended.body).toMatchObject({ status: 'completed', message_id: expect.any(Number) });
  });

  it('cancels a plain POST /chat from the other replica: 409 run_cancelled, nothing stored', async () => {
    fake.reset();
    fake.enqueueText(WORDS, { chunkDelayMs: 150 });
    const key = `sync-cancel-${randomUUID()}`;
    const pending = a.http
      .post('/api/v1/chat')
      .set('Authorization', user.authorization)
      .send({ message: 'slow plain', conversation_id: key });
    const response = pending.then((r) => r);
    const runId = await waitUntil(async () => {
      const rows: { last_run_id: string | null }[] = await a.dataSource.query(
        'SELECT last_run_id FROM agent_conversations WHERE conversation_key = $1',
        [key],
      );
      return rows[0]?.last_run_id ?? undefined;
    });
    const cancel = await cancelRun(b, user, runId).expect(200);
    expect(cancel.body).toMatchObject({ status: 'cancelled', message_id: null });
    const answer = await response;
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ success: false, code: 'run_cancelled' });
    await fake.waitForAbort();
  });

  it('a plain POST /chat whose client disconnects stops its run', async () => {
    fake.reset();
    fake.enqueueText(WORDS, { chunkDelayMs: 200 });
    const gone = new AbortController();
    const sent = fetch(`${a.url}/api/v1/chat`, {
      method: 'POST',
      headers: { Authorization: user.authorization, 'Content-Type': 'application/json' },
      body: JSON.stringify({ message: 'never mind' }),
      signal: gone.signal,
    }).catch(() => undefined);
    await fake.waitForRequest((request) => request.api === 'responses');
    gone.abort();
    await sent;
    const aborted = await fake.waitForAbort();
    expect(aborted.aborted).toBe(true);
  });
});

describe('a dropped stream nobody resumes', () => {
  let fake: OpenAIFake;
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    fake = await startOpenAIFake();
    t = await startTestApp({
      env: {
        OPENAI_API_KEY: 'sk-grace',
        OPENAI_BASE_URL: fake.baseURL,
        CHAT_STREAM_RESUME_GRACE_SECONDS: '1',
      },
    });
    user = await createTestUser(t, { role: 'member' });
  });

  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('stops after the resume grace and stores the partial reply as incomplete', async () => {
    fake.enqueueText(`${WORDS} ${WORDS} ${WORDS}`, { chunkDelayMs: 150 });
    const drop = new AbortController();
    const seen: RunFrame[] = [];
    const droppedAt = { value: 0 };
    await postStream(
      t.url,
      user.authorization,
      { message: 'long' },
      {
        signal: drop.signal,
        onFrame: (frame) => {
          seen.push(frame as unknown as RunFrame);
          if (seen.length === 2) {
            droppedAt.value = performance.now();
            drop.abort();
          }
        },
      },
    ).catch(() => undefined);
    await fake.waitForAbort(6000);
    const stoppedAfter = performance.now() - droppedAt.value;
    expect(stoppedAfter).toBeGreaterThanOrEqual(900);

    const runId = seen[0].run_id;
    const state = await waitUntil(async () => {
      const r = await cancelRun(t, user, runId);
      return r.body.status === 'incomplete' ? r.body : undefined;
    });
    expect(state).toMatchObject({ status: 'incomplete', message_id: expect.any(Number) });
    // What a late resume sees: every frame the run sent, ending with the incomplete final frame.
    const late = await resumeStream(t, user, runId);
    expect(late.frames[late.frames.length - 1]).toMatchObject({
      is_complete: true,
      status: 'incomplete',
      message_id: state.message_id,
    });
    expect(eventIds(late.frames)).toEqual(late.frames.map((_, i) => i + 1));
    expect(late.frames.length).toBeGreaterThan(seen.length);
  });
});

describe('chat runs on the in-process Redis (decision P10)', () => {
  let fake: OpenAIFake;
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    fake = await startOpenAIFake();
    t = await startTestApp({
      env: { OPENAI_API_KEY: 'sk-embedded', OPENAI_BASE_URL: fake.baseURL, REDIS_URL: undefined },
    });
    user = await createTestUser(t, { role: 'member' });
  });

  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('resumes a dropped stream and cancels a running one', async () => {
    expect(t.redis.embedded).toBe(true);
    fake.enqueueText(WORDS, { chunkDelayMs: 60 });
    const drop = new AbortController();
    const seen: RunFrame[] = [];
    await postStream(
      t.url,
      user.authorization,
      { message: 'embedded resume' },
      {
        signal: drop.signal,
        onFrame: (frame) => {
          seen.push(frame as unknown as RunFrame);
          if (seen.length === 2) drop.abort();
        },
      },
    ).catch(() => undefined);
    const resumed = await resumeStream(t, user, seen[0].run_id, { query: '2' });
    const all = [...seen, ...resumed.frames];
    expect(eventIds(all)).toEqual(all.map((_, i) => i + 1));
    expect(all[all.length - 1]).toMatchObject({ is_complete: true, status: 'completed' });

    fake.reset();
    fake.enqueueText(WORDS, { chunkDelayMs: 100 });
    let cancel: Promise<{ body: Record<string, unknown> }> | null = null;
    const outcome = await postStream(
      t.url,
      user.authorization,
      { message: 'embedded cancel' },
      {
        onFrame: (frame) => {
          // `.then` sends the request now (a supertest request is lazy).
          if (!cancel) cancel = cancelRun(t, user, (frame as unknown as RunFrame).run_id).then();
        },
      },
    );
    expect((await cancel!).body).toMatchObject({ status: 'cancelled' });
    expect(outcome.frames[outcome.frames.length - 1]).toMatchObject({ status: 'cancelled' });
  });
});
