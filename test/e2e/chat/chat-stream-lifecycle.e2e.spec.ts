import { LifecycleService } from '../../../src/platform/lifecycle/lifecycle.service';
import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import { startOpenAIFake, type OpenAIFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';
import { conversationRow, messageRows, waitUntil } from './chat-db';
import { postStream, type ChatFrame } from './sse-client';

/** Heartbeats, metrics and server drain of the chat stream (decisions C4 and P6). */
describe('chat stream lifecycle', () => {
  let t: TestApp;
  let fake: OpenAIFake;
  let user: TestUser;

  beforeAll(async () => {
    fake = await startOpenAIFake();
    t = await startTestApp({
      env: { OPENAI_API_KEY: 'sk-life', OPENAI_BASE_URL: fake.baseURL, SSE_PING_SECONDS: '1' },
    });
    user = await createTestUser(t, { role: 'member' });
  });

  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('sends `: ping` comments while the model is silent, which legacy parsers skip', async () => {
    fake.enqueueText('after a pause', { firstChunkDelayMs: 2300 });
    const outcome = await postStream(t.url, user.authorization, { message: 'slow start' });
    expect(outcome.comments).toBeGreaterThanOrEqual(1);
    expect(outcome.text).toBe('after a pause');
    expect(outcome.frames.filter((frame) => frame.is_complete)).toHaveLength(1);
  });

  it('exports the chat metrics', async () => {
    fake.enqueueToolCall('get_current_time', {}, 'call_metrics');
    fake.enqueueText('Metrics.', { usage: { input_tokens: 5, output_tokens: 2 } });
    await postStream(t.url, user.authorization, { message: 'time?' });
    const metrics = await t.http.get('/metrics').expect(200);
    const text = metrics.text;
    expect(text).toContain('chat_requests_total{mode="stream",agent="triage",result="completed"}');
    expect(text).toMatch(/llm_tokens_total\{model="gpt-4\.1-2025-04-14",direction="input"\} \d+/);
    expect(text).toContain('agent_tool_calls_total{tool="get_current_time",result="success"} 1');
    expect(text).toMatch(/chat_time_to_first_token_seconds_count \d+/);
    expect(text).toMatch(/chat_stream_duration_seconds_count \d+/);
    expect(text).toContain('chat_stream_active 0');
    expect(text).toMatch(/chat_request_duration_seconds_count \d+/);
  });

  it('on drain tells the client, aborts the run and stores the partial reply', async () => {
    fake.enqueueText('alpha beta gamma delta epsilon zeta eta theta', { chunkDelayMs: 150 });
    const frames: ChatFrame[] = [];
    let drained: Promise<void> | undefined;
    const outcome = await postStream(
      t.url,
      user.authorization,
      { message: 'long answer' },
      {
        onFrame: (frame) => {
          frames.push(frame);
          if (frame.chunk.includes('beta') && !drained) {
            drained = t.app.get(LifecycleService).beginShutdown();
          }
        },
      },
    );
    await drained;
    const last = outcome.frames[outcome.frames.length - 1];
    expect(last).toMatchObject({ is_complete: true, code: 'server_shutting_down', chunk: '' });
    expect(outcome.frames.filter((frame) => frame.is_complete)).toHaveLength(1);
    const row = await waitUntil(async () => {
      const found = await conversationRow(t, user.userId, last.conversation_id);
      return found?.message_count === 2 ? found : undefined;
    });
    const [, reply] = await messageRows(t, row.id);
    expect(reply).toMatchObject({ role: 'assistant', status: 'incomplete' });
    expect(reply.text.startsWith('alpha beta')).toBe(true);
  });
});
