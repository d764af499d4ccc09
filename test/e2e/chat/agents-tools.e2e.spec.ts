import { createTestUser, signAccessToken, type TestUser } from '../../support/auth-fixtures';
import {
  startOpenAIFake,
  startTavilyFake,
  toolOutputsOf,
  type OpenAIFake,
  type TavilyFake,
} from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';
import { conversationRow } from './chat-db';
import { postStream } from './sse-client';

/**
 * `GET /api/v1/agents`, `/api/v1/agents/{agent_name}/status` and `/api/v1/tools`, the agent
 * catalog wiring, handoffs and the Tavily tool.
 */
describe('agents and tools', () => {
  let fake: OpenAIFake;
  let tavily: TavilyFake;

  beforeAll(async () => {
    fake = await startOpenAIFake();
    tavily = await startTavilyFake({ apiKey: 'tvly-test' });
  });

  afterAll(async () => {
    await fake.close();
    await tavily.close();
  });

  describe('without a Tavily key', () => {
    let t: TestApp;
    let user: TestUser;

    beforeAll(async () => {
      t = await startTestApp({
        env: {
          OPENAI_API_KEY: 'sk-agents',
          OPENAI_BASE_URL: fake.baseURL,
          AGENT_DEFAULT_MODEL: 'gpt-default-x',
          AGENT_CODE_ASSISTANT_MODEL: 'gpt-code-x',
          AGENT_MAX_TURNS: '3',
        },
      });
      user = await createTestUser(t, { role: 'member' });
    });

    afterEach(() => fake.reset());
    afterAll(() => t.close());

    it('lists the catalog sorted by name with the reference descriptions', async () => {
      const response = await t.http
        .get('/api/v1/agents')
        .set('Authorization', user.authorization)
        .expect(200);
      expect(response.body.map((a: { name: string }) => a.name)).toEqual([
        'code_assistant',
        'data_analyst',
        'triage',
      ]);
      expect(response.body[2]).toEqual({
        name: 'triage',
        status: 'active',
        description: 'Agent specialised for triage tasks.',
        display_name: 'Triage Assistant',
        model: 'gpt-default-x',
        tools: ['get_current_time', 'search_conversations'],
        handoffs: ['code_assistant', 'data_analyst'],
        capabilities: ['general', 'search', 'handoff'],
      });
      expect(response.body[0]).toMatchObject({
        description: 'Agent specialised for code assistant tasks.',
        model: 'gpt-code-x',
      });
    });

    it('reports agent status with stats from the caller’s conversations; unknown is 404', async () => {
      const fresh = await t.http
        .get('/api/v1/agents/data_analyst/status')
        .set('Authorization', user.authorization)
        .expect(200);
      expect(fresh.body).toEqual({
        name: 'data_analyst',
        status: 'active',
        last_used: null,
        total_conversations: 0,
      });
      fake.enqueueText('Mean is 2.');
      await t.http
        .post('/api/v1/chat')
        .set('Authorization', user.authorization)
        .send({ message: 'mean of 1,2,3?', agent_type: 'data_analyst' })
        .expect(200);
      const used = await t.http
        .get('/api/v1/agents/data_analyst/status')
        .set('Authorization', user.authorization)
        .expect(200);
      expect(used.body.total_conversations).toBe(1);
      expect(used.body.last_used).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+\+00:00$/);

      const missing = await t.http
        .get('/api/v1/agents/Triage/status')
        .set('Authorization', user.authorization)
        .expect(404);
      expect(missing.body.message).toBe("Agent 'Triage' not found");
    });

    it('keeps the reference tool overview and marks web search unavailable', async () => {
      const response = await t.http
        .get('/api/v1/tools')
        .set('Authorization', user.authorization)
        .expect(200);
      expect(response.body).toMatchObject({
        total_tools: 3,
        tool_names: ['tavily_search_tool', 'get_current_time', 'search_conversations'],
        categories: ['web_search', 'utility', 'conversation'],
      });
      const web = response.body.items[0];
      expect(web).toMatchObject({
        name: 'tavily_search_tool',
        category: 'web_search',
        core: false,
        agents: ['data_analyst', 'triage'],
        capabilities: ['web_search'],
        requires_api_key: true,
        available: false,
      });
      expect(web.parameters.properties.query.type).toBe('string');
      // Not offered to the model without a key.
      fake.enqueueText('ok');
      await t.http
        .post('/api/v1/chat')
        .set('Authorization', user.authorization)
        .send({ message: 'news?' })
        .expect(200);
      expect(JSON.stringify(fake.lastRequest()?.body.tools)).not.toContain('tavily_search_tool');
    });

    it('uses the per-agent model and falls back to triage for an unknown agent_type', async () => {
      fake.enqueueText('code reply');
      const code = await t.http
        .post('/api/v1/chat')
        .set('Authorization', user.authorization)
        .send({ message: 'review this', agent_type: 'code_assistant' })
        .expect(200);
      expect(code.body).toMatchObject({
        agent_used: 'code_assistant',
        metadata: { model_used: 'gpt-code-x' },
      });
      expect(fake.lastRequest()?.model).toBe('gpt-code-x');

      fake.enqueueText('triage reply');
      const unknown = await t.http
        .post('/api/v1/chat')
        .set('Authorization', user.authorization)
        .send({ message: 'hello', agent_type: 'wizard' })
        .expect(200);
      expect(unknown.body.agent_used).toBe('triage');
      const row = await conversationRow(t, user.userId, unknown.body.conversation_id);
      expect(row?.agent_entrypoint).toBe('triage');
    });

    it('reports the answering agent after a handoff', async () => {
      fake.enqueueToolCall('transfer_to_code_assistant', {}, 'call_handoff');
      fake.enqueueText('Here is your function.', { chunks: ['Here is', ' your function.'] });
      const stream = await postStream(t.url, user.authorization, { message: 'Write a function' });
      expect(stream.text).toBe('Here is your function.');
      const final = stream.frames[stream.frames.length - 1];
      expect(final).toMatchObject({ is_complete: true, agent_used: 'code_assistant' });
      expect(stream.frames[0].agent_used).toBe('code_assistant');
      const requests = fake.modelRequests();
      expect(requests[requests.length - 1].model).toBe('gpt-code-x');
      const row = await conversationRow(t, user.userId, final.conversation_id);
      expect(row).toMatchObject({ agent_entrypoint: 'triage', active_agent: 'code_assistant' });

      fake.enqueueToolCall('transfer_to_data_analyst', {}, 'call_handoff_2');
      fake.enqueueText('Analysis done.');
      const plain = await t.http
        .post('/api/v1/chat')
        .set('Authorization', user.authorization)
        .send({ message: 'Analyse this' })
        .expect(200);
      expect(plain.body).toMatchObject({
        response: 'Analysis done.',
        agent_used: 'data_analyst',
        handoff_occurred: true,
      });
    });

    it('lets service accounts read the catalogs and their own conversations (decision C12)', async () => {
      const token = await signAccessToken(t, {
        ...user,
        emailVerified: true,
        extraClaims: {
          sub: 'service-account:analytics',
          scope: 'tools:read conversations:read conversations:write',
        },
      });
      const auth = `Bearer ${token}`;
      await t.http.get('/api/v1/agents').set('Authorization', auth).expect(200);
      const status = await t.http
        .get('/api/v1/agents/triage/status')
        .set('Authorization', auth)
        .expect(200);
      expect(status.body.name).toBe('triage');
      await t.http.get('/api/v1/tools').set('Authorization', auth).expect(200);
      // Its conversations are its own (test/e2e/chat/machine-callers covers chatting): none yet,
      // and the user's are not among them.
      const listed = await t.http
        .get('/api/v1/conversations')
        .set('Authorization', auth)
        .expect(200);
      expect(listed.body).toEqual([]);
      // User-only routes still refuse it.
      const me = await t.http.get('/api/v1/auth/me').set('Authorization', auth).expect(401);
      expect(me.body.message).toBe('Token subject must reference a user account.');
    });

    it('answers the current time through the time tool', async () => {
      fake.enqueueToolCall('get_current_time', {}, 'call_time');
      fake.enqueueText('It is now.');
      await t.http
        .post('/api/v1/chat')
        .set('Authorization', user.authorization)
        .send({ message: 'What time is it?' })
        .expect(200);
      const [output] = toolOutputsOf(fake.lastRequest()!);
      expect(output.output).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    });

    it('stops a run that exceeds AGENT_MAX_TURNS with a stable code', async () => {
      for (let i = 0; i < 4; i += 1) fake.enqueueToolCall('get_current_time', {}, `call_loop_${i}`);
      const response = await t.http
        .post('/api/v1/chat')
        .set('Authorization', user.authorization)
        .send({ message: 'loop forever' })
        .expect(500);
      expect(response.body).toMatchObject({ code: 'max_turns_exceeded' });
    });
  });

  describe('with a Tavily key', () => {
    let t: TestApp;
    let user: TestUser;

    beforeAll(async () => {
      t = await startTestApp({
        env: {
          OPENAI_API_KEY: 'sk-agents',
          OPENAI_BASE_URL: fake.baseURL,
          TAVILY_API_KEY: 'tvly-test',
          TAVILY_BASE_URL: tavily.url,
          TAVILY_TIMEOUT_SECONDS: '0.5',
        },
      });
      user = await createTestUser(t, { role: 'member' });
    });

    afterEach(() => {
      fake.reset();
      tavily.reset();
    });
    afterAll(() => t.close());

    it('offers web search to triage and formats Tavily results for the model', async () => {
      const tools = await t.http
        .get('/api/v1/tools')
        .set('Authorization', user.authorization)
        .expect(200);
      expect(tools.body.items[0]).toMatchObject({ name: 'tavily_search_tool', available: true });

      fake.enqueueToolCall('tavily_search_tool', {
        query: 'nestjs release',
        max_results: 50,
        search_depth: null,
        include_answer: null,
        topic: null,
      });
      fake.enqueueText('Search done.');
      await t.http
        .post('/api/v1/chat')
        .set('Authorization', user.authorization)
        .send({ message: 'Latest NestJS?' })
        .expect(200);

      expect(JSON.stringify(fake.modelRequests()[0].body.tools)).toContain('tavily_search_tool');
      const sent = tavily.lastRequest()!;
      expect(sent.apiKey).toBe('tvly-test');
      expect(sent.body).toMatchObject({
        query: 'nestjs release',
        max_results: 20,
        search_depth: 'basic',
        include_answer: true,
        topic: 'general',
        include_raw_content: false,
        include_images: false,
      });
      const [output] = toolOutputsOf(fake.lastRequest()!);
      expect(output.output).toContain('Web search results for: nestjs release');
      expect(output.output).toContain('Untrusted web content');
      expect(output.output).toMatch(/1\. .+\n {3}URL: https?:\/\//);
    });

    it('retries a failed search once, then reports the failure to the model', async () => {
      tavily.failNext(1, { status: 502 });
      fake.enqueueToolCall('tavily_search_tool', {
        query: 'retry me',
        max_results: null,
        search_depth: null,
        include_answer: null,
        topic: null,
      });
      fake.enqueueText('ok');
      await t.http
        .post('/api/v1/chat')
        .set('Authorization', user.authorization)
        .send({ message: 'search' })
        .expect(200);
      expect(tavily.requests).toHaveLength(2);
      expect(toolOutputsOf(fake.lastRequest()!)[0].output).toContain('Web search results for');

      tavily.failNext(2, { delayMs: 2000 });
      fake.enqueueToolCall('tavily_search_tool', {
        query: 'slow',
        max_results: null,
        search_depth: null,
        include_answer: null,
        topic: null,
      });
      fake.enqueueText('ok');
      await t.http
        .post('/api/v1/chat')
        .set('Authorization', user.authorization)
        .send({ message: 'search slowly' })
        .expect(200);
      expect(toolOutputsOf(fake.lastRequest()!)[0].output).toBe(
        'Web search failed: request timed out',
      );
    });
  });
});
