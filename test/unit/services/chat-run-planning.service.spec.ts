import { MaxTurnsExceededError } from '@openai/agents';
import type { Response } from 'express';
import { AgentRuntime } from '../../../src/modules/agents/agent-runtime.service';
import type { Principal } from '../../../src/modules/auth/principal';
import { ChatMetrics } from '../../../src/modules/chat/chat.metrics';
import { ChatRateLimits } from '../../../src/modules/chat/chat-rate-limits.service';
import { ChatStreamService } from '../../../src/modules/chat/chat-stream.service';
import { ChatEntitlementsRegistry } from '../../../src/modules/chat/chat-entitlements.port';
import { ChatController } from '../../../src/modules/chat/chat.controller';
import { ChatRequestService } from '../../../src/modules/chat/chat-request.service';
import {
  ChatErrorCode,
  ChatQuotaExceededException,
  ChatFailedException,
  ChatTurnError,
  ChatRunCancelledException,
} from '../../../src/modules/chat/chat.errors';
import { ChatService } from '../../../src/modules/chat/chat.service';
import { RUN_CANCELLED, type TurnPlan } from '../../../src/modules/chat/chat-turn';
import { EMPTY_CLIENT_CONTEXT } from '../../../src/modules/chat/client-context';
import { ChatRunRegistry } from '../../../src/modules/chat/runs/chat-run-registry.service';
import type { AgentChatRequest } from '../../../src/modules/chat/dto/agent-chat-request.dto';
import { TranscriptService } from '../../../src/modules/conversations/transcript.service';
import { ToolCatalog } from '../../../src/modules/tools';
import { RateLimiter } from '../../../src/platform/rate-limit';
import { RequestValidationException } from '../../../src/platform/http/validation/request-validation.exception';
import { metricValue, newTestService } from '../../support/service-test';

const USER_ID = '6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f';
const TENANT_ID = '0a7e9c1d-2b3f-4a5c-8d6e-7f8091a2b3c4';
const CONVERSATION_ID = 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const principal = (fields: Partial<Principal> = {}): Principal => ({
  kind: 'user',
  subject: `user:${USER_ID}`,
  userId: USER_ID,
  account: null,
  tenantId: TENANT_ID,
  roles: ['member'],
  scopes: ['conversations:write'],
  emailVerified: true,
  sessionId: null,
  tokenId: 'jti',
  payload: {},
  ...fields,
});

const request = (fields: Partial<AgentChatRequest> = {}) => ({ message: 'Hello there', ...fields });

describe('ChatService.plan: everything resolved before any work', () => {
  const setup = () => newTestService(ChatService, { env: { CHAT_MAX_MESSAGE_CHARS: '20' } }).sut;

  it('names a new conversation and a run when the request names none', () => {
    const plan = setup().plan(principal(), request());
    expect(plan).toEqual({
      owner: { tenantId: TENANT_ID, userId: USER_ID },
      publicId: expect.stringMatching(UUID_V4),
      fresh: true,
      entryAgent: 'triage',
      message: 'Hello there',
      runId: expect.stringMatching(UUID_V4),
      allowance: { webSearch: true },
      clientContext: {},
    });
    expect(plan.runId).not.toBe(plan.publicId);
  });

  it('puts the scalar entries of request.context into the clientContext', () => {
    const plan = setup().plan(
      principal(),
      request({
        context: {
          locale: 'de-DE',
          page: 3,
          beta: true,
          tz: null,
          nested: { a: 1 },
          list: [1, 2],
          'bad key': 'x',
        },
      }),
    );
    expect(plan.clientContext).toEqual({ locale: 'de-DE', page: 3, beta: true, tz: null });
    expect(setup().plan(principal(), request({ context: null })).clientContext).toEqual({});
  });

  it('refuses a request.context over CHAT_CONTEXT_MAX_BYTES with a 422 on body.context', () => {
    const sut = newTestService(ChatService, { env: { CHAT_CONTEXT_MAX_BYTES: '64' } }).sut;
    expect(() => sut.plan(principal(), request({ context: { note: 'x'.repeat(100) } }))).toThrow(
      RequestValidationException,
    );
  });

  it('keeps the conversation id exactly as sent (an empty one counts as none)', () => {
    const sut = setup();
    const sent = `{${CONVERSATION_ID.toUpperCase()}}`;
    expect(sut.plan(principal(), request({ conversation_id: sent }))).toMatchObject({
      publicId: sent,
      fresh: false,
    });
    expect(sut.plan(principal(), request({ conversation_id: '' }))).toMatchObject({ fresh: true });
  });

  it.each([
    [undefined, 'triage'],
    ['code_assistant', 'code_assistant'],
    ['data_analyst', 'data_analyst'],
    ['no_such_agent', 'triage'],
  ])('resolves agent_type %p to the entry agent %p', (agentType, expected) => {
    const plan = setup().plan(principal(), request({ agent_type: agentType }));
    expect(plan.entryAgent).toBe(expected);
  });

  it('refuses a message over CHAT_MAX_MESSAGE_CHARS with the reference 422 issue', () => {
    const sut = setup();
    expect(sut.plan(principal(), request({ message: 'x'.repeat(20) })).message).toHaveLength(20);
    let error: unknown;
    try {
      sut.plan(principal(), request({ message: 'y'.repeat(21) }));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RequestValidationException);
    expect((error as RequestValidationException).issues).toEqual([
      expect.objectContaining({
        type: 'string_too_long',
        loc: ['body', 'message'],
        msg: 'String should have at most 20 characters',
        ctx: { max_length: 20 },
      }),
    ]);
  });

  it('refuses a principal without a usable tenant before checking the message', () => {
    const sut = setup();
    const tooLong = request({ message: 'z'.repeat(500) });
    for (const bad of [principal({ tenantId: null }), principal({ tenantId: 'acme' })]) {
      expect(() => sut.plan(bad, tooLong)).toThrow(
        expect.objectContaining({ code: 'tenant_context_missing' }),
      );
    }
  });
});

describe('ChatService.run: one turn, its reply stored whatever happens', () => {
  const triage = { name: 'Triage' };
  const analyst = { name: 'Data analyst' };
  const usage = {
    inputTokens: 12,
    outputTokens: 5,
    totalTokens: 17,
    requests: 2,
    inputTokensDetails: [{ cached_tokens: 3 }],
    outputTokensDetails: [{ reasoning_tokens: 1 }],
  };

  const setup = () => {
    const { sut, mocks } = newTestService(ChatService);
    const runtime = mocks.get(AgentRuntime);
    const run = jest.fn();
    Object.assign(runtime, { runner: { run }, maxTurns: 7 });
    runtime.agent.mockImplementation((key) => (key === 'triage' ? triage : analyst) as never);
    runtime.keyOf.mockImplementation((agent) =>
      agent === triage ? 'triage' : agent === analyst ? 'data_analyst' : undefined,
    );
    runtime.model.mockImplementation((key) => `model-of-${key}`);
    const session = { addItems: jest.fn().mockResolvedValue(undefined) };
    const turn = { conversationId: 'conv-pk', session, userMessage: {} };
    const transcript = mocks.get(TranscriptService);
    transcript.begin.mockResolvedValue(turn as never);
    transcript.beginFresh.mockReturnValue({ session, turn: Promise.resolve(turn) } as never);
    transcript.finish.mockResolvedValue({ id: 41 } as never);
    return { sut, run, runtime, transcript, session, metrics: mocks.value(ChatMetrics) };
  };

  const plan = (fields: Partial<TurnPlan> = {}): TurnPlan => ({
    owner: { tenantId: TENANT_ID, userId: USER_ID },
    publicId: CONVERSATION_ID,
    fresh: false,
    entryAgent: 'triage',
    message: 'How many rows?',
    runId: 'run-1',
    allowance: { webSearch: true },
    clientContext: EMPTY_CLIENT_CONTEXT,
    ...fields,
  });

  it('runs an existing conversation with its memory and stores the completed reply', async () => {
    const t = setup();
    t.run.mockResolvedValue({
      state: { usage },
      newItems: [{ type: 'handoff_output_item', sourceAgent: triage, targetAgent: analyst }],
      lastAgent: analyst,
      finalOutput: '42 rows.',
    });
    const result = await t.sut.run(plan(), { mode: 'sync' });

    expect(t.transcript.begin).toHaveBeenCalledWith(
      { tenantId: TENANT_ID, userId: USER_ID },
      CONVERSATION_ID,
      'triage',
      { text: 'How many rows?', at: expect.any(Date), runId: 'run-1' },
    );
    expect(t.transcript.beginFresh).not.toHaveBeenCalled();
    expect(t.run).toHaveBeenCalledWith(triage, 'How many rows?', {
      session: t.session,
      context: { tenantId: TENANT_ID, userId: USER_ID, webSearch: true, client: {} },
      maxTurns: 7,
      signal: expect.any(AbortSignal),
    });
    expect(t.transcript.finish).toHaveBeenCalledWith(
      'conv-pk',
      expect.objectContaining({
        text: '42 rows.',
        status: 'completed',
        agent: 'data_analyst',
        model: 'model-of-data_analyst',
        usage: { inputTokens: 12, outputTokens: 5, reasoningTokens: 1 },
        handoffs: 1,
        sessionSynced: true,
        runId: 'run-1',
      }),
    );
    expect(result).toEqual({
      status: 'completed',
      text: '42 rows.',
      agentUsed: 'data_analyst',
      model: 'model-of-data_analyst',
      handoffOccurred: true,
      usage: {
        input_tokens: 12,
        output_tokens: 5,
        total_tokens: 17,
        cached_tokens: 3,
        reasoning_tokens: 1,
        requests: 2,
      },
      messageId: 41,
    });
    expect(
      await metricValue(t.metrics.requests, { mode: 'sync', agent: 'triage', result: 'completed' }),
    ).toBe(1);
    expect(await metricValue(t.metrics.handoffs, { from: 'triage', to: 'data_analyst' })).toBe(1);
  });

  it('gives the run the client context of the plan (ChatRunContext.client)', async () => {
    const t = setup();
    t.run.mockResolvedValue({
      state: { usage },
      newItems: [],
      lastAgent: triage,
      finalOutput: 'ok',
    });
    await t.sut.run(plan({ clientContext: { locale: 'fr', page: 2 } }), { mode: 'sync' });
    expect(t.run.mock.calls[0][2]).toMatchObject({
      context: {
        tenantId: TENANT_ID,
        userId: USER_ID,
        webSearch: true,
        client: { locale: 'fr', page: 2 },
      },
    });
  });

  it('returns status cancelled when the signal aborted with reason RUN_CANCELLED', async () => {
    const t = setup();
    const cancel = new AbortController();
    t.run.mockImplementation(() => {
      cancel.abort(RUN_CANCELLED);
      return Promise.reject(new Error('aborted'));
    });
    const result = await t.sut.run(plan(), { mode: 'sync', signal: cancel.signal });
    expect(result).toMatchObject({ status: 'cancelled', text: '', messageId: null });
    expect(t.transcript.finish).not.toHaveBeenCalled();
    expect(
      await metricValue(t.metrics.requests, { mode: 'sync', agent: 'triage', result: 'cancelled' }),
    ).toBe(1);
    expect(await metricValue(t.metrics.cancellations)).toBe(1);
  });

  it('returns status incomplete (not cancelled) when the signal aborted for another reason', async () => {
    const t = setup();
    const client = new AbortController();
    t.run.mockImplementation(() => {
      client.abort();
      return Promise.reject(new Error('aborted'));
    });
    const result = await t.sut.run(plan(), { mode: 'sync', signal: client.signal });
    expect(result.status).toBe('incomplete');
  });

  it('starts a fresh conversation without waiting for its rows (beginFresh, not begin)', async () => {
    const t = setup();
    t.run.mockResolvedValue({
      state: { usage },
      newItems: [],
      lastAgent: triage,
      finalOutput: 'Hi',
    });
    const result = await t.sut.run(plan({ fresh: true }), { mode: 'sync' });
    expect(t.transcript.beginFresh).toHaveBeenCalledWith(
      { tenantId: TENANT_ID, userId: USER_ID },
      CONVERSATION_ID,
      'triage',
      expect.objectContaining({ text: 'How many rows?', runId: 'run-1' }),
    );
    expect(t.transcript.begin).not.toHaveBeenCalled();
    expect(result).toMatchObject({ status: 'completed', text: 'Hi', handoffOccurred: false });
  });

  it('does not run the model when the conversation cannot be opened (persistence_failed)', async () => {
    const t = setup();
    t.transcript.begin.mockRejectedValue(new Error('db down'));
    const error = await t.sut.run(plan(), { mode: 'sync' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChatTurnError);
    expect((error as ChatTurnError).code).toBe(ChatErrorCode.PersistenceFailed);
    expect(t.run).not.toHaveBeenCalled();
    expect(t.transcript.finish).not.toHaveBeenCalled();
    expect(
      await metricValue(t.metrics.requests, { mode: 'sync', agent: 'triage', result: 'failed' }),
    ).toBe(1);
  });

  it('classifies a failed run and stores nothing when no text was produced', async () => {
    const t = setup();
    t.run.mockRejectedValue(new MaxTurnsExceededError('Max turns (7) exceeded'));
    const error = await t.sut.run(plan(), { mode: 'sync' }).catch((caught: unknown) => caught);
    expect((error as ChatTurnError).code).toBe(ChatErrorCode.MaxTurnsExceeded);
    expect(t.transcript.finish).not.toHaveBeenCalled();
    expect(t.session.addItems).not.toHaveBeenCalled();
  });

  it('fails a completed run whose reply could not be stored (persistence_failed)', async () => {
    const t = setup();
    t.run.mockResolvedValue({
      state: { usage },
      newItems: [],
      lastAgent: triage,
      finalOutput: 'ok',
    });
    t.transcript.finish.mockRejectedValue(new Error('insert failed'));
    const error = await t.sut.run(plan(), { mode: 'sync' }).catch((caught: unknown) => caught);
    expect((error as ChatTurnError).code).toBe(ChatErrorCode.PersistenceFailed);
    expect(new ChatFailedException(error as ChatTurnError).getStatus()).toBe(500);
  });

  it('streams deltas with the agent producing them and keeps the partial reply when the client leaves', async () => {
    const t = setup();
    const client = new AbortController();
    const deltas: [string, string][] = [];
    t.run.mockImplementation(async () => {
      const events = [
        { type: 'raw_model_stream_event', data: { type: 'output_text_delta', delta: 'Hel' } },
        { type: 'agent_updated_stream_event', agent: analyst },
        { type: 'raw_model_stream_event', data: { type: 'output_text_delta', delta: 'lo' } },
        { type: 'raw_model_stream_event', data: { type: 'response_done' } },
      ];
      return {
        async *[Symbol.asyncIterator]() {
          for (const event of events) yield event;
          client.abort();
        },
        completed: Promise.resolve(),
        state: { usage },
        error: null,
        cancelled: true,
        lastAgent: analyst,
        finalOutput: undefined,
      };
    });
    const result = await t.sut.run(plan(), {
      mode: 'stream',
      signal: client.signal,
      onDelta: (delta, agent) => {
        deltas.push([delta, agent]);
      },
    });

    expect(t.run.mock.calls[0][2]).toMatchObject({ stream: true, maxTurns: 7 });
    expect(deltas).toEqual([
      ['Hel', 'triage'],
      ['lo', 'data_analyst'],
    ]);
    expect(result).toMatchObject({
      status: 'incomplete',
      text: 'Hello',
      agentUsed: 'data_analyst',
    });
    // The partial reply goes into the SDK memory and the transcript, marked incomplete.
    expect(t.session.addItems).toHaveBeenCalledWith([
      {
        type: 'message',
        role: 'assistant',
        status: 'incomplete',
        content: [{ type: 'output_text', text: 'Hello' }],
      },
    ]);
    expect(t.transcript.finish).toHaveBeenCalledWith(
      'conv-pk',
      expect.objectContaining({ text: 'Hello', status: 'incomplete', sessionSynced: false }),
    );
    expect(await metricValue(t.metrics.cancellations)).toBe(1);
    expect(
      await metricValue(t.metrics.requests, {
        mode: 'stream',
        agent: 'triage',
        result: 'incomplete',
      }),
    ).toBe(1);
    expect(await metricValue(t.metrics.timeToFirstToken)).toBe(1);
  });
});

describe('ChatRateLimits: the quotas, per tenant and user', () => {
  const setup = () => {
    const { sut, mocks } = newTestService(ChatRateLimits, {
      env: {
        CHAT_RATE_LIMIT_PER_MINUTE: '11',
        CHAT_STREAM_RATE_LIMIT_PER_MINUTE: '7',
        CHAT_STREAM_CONCURRENT_LIMIT: '2',
      },
    });
    return { sut, limiter: mocks.get(RateLimiter) };
  };

  it('charges chat_per_minute, chat_stream_per_minute and the stream slot with their limits', async () => {
    const t = setup();
    await t.sut.chat(principal());
    await t.sut.streamStart(principal());
    await t.sut.streamSlot(principal());
    const parts = [TENANT_ID, USER_ID];
    const logContext = { tenantId: TENANT_ID, userId: USER_ID };
    expect(t.limiter.hit.mock.calls).toEqual([
      [{ name: 'chat_per_minute', limit: 11, windowSeconds: 60, scope: 'user', logContext }, parts],
      [
        { name: 'chat_stream_per_minute', limit: 7, windowSeconds: 60, scope: 'user', logContext },
        parts,
      ],
    ]);
    expect(t.limiter.acquireLease).toHaveBeenCalledWith(
      { name: 'chat_stream_concurrency', limit: 2, ttlSeconds: 300, scope: 'user', logContext },
      parts,
    );
  });

  it('keys a principal without a user id on its subject, without a tenant on a placeholder', async () => {
    const t = setup();
    await t.sut.chat(
      principal({ tenantId: null, userId: null, subject: 'service-account:synthetic-monitor' }),
    );
    expect(t.limiter.hit).toHaveBeenCalledWith(
      expect.objectContaining({ logContext: { tenantId: undefined, userId: undefined } }),
      ['unknown', 'service-account:synthetic-monitor'],
    );
  });
});

describe('ChatRequestService: plan, then rate limits, then the turn', () => {
  const setup = () => {
    const { sut, mocks } = newTestService(ChatRequestService);
    const chat = mocks.get(ChatService);
    const limits = mocks.get(ChatRateLimits);
    const streams = mocks.get(ChatStreamService);
    mocks.get(ToolCatalog).names.mockReturnValue(['web_search']);
    const response = {
      setHeader: jest.fn(),
      once: jest.fn(),
      off: jest.fn(),
      writableFinished: false,
    } as unknown as Response & { setHeader: jest.Mock; once: jest.Mock; off: jest.Mock };
    const turnPlan = {
      publicId: CONVERSATION_ID,
      runId: 'run-1',
      owner: { tenantId: TENANT_ID, userId: USER_ID },
    } as TurnPlan;
    const runs = mocks.get(ChatRunRegistry);
    const cancel = new AbortController();
    const chatRun = {
      signal: cancel.signal,
      finish: jest.fn().mockResolvedValue(undefined),
    };
    runs.open.mockReturnValue(chatRun as never);
    chat.plan.mockReturnValue(turnPlan);
    const entitlements = mocks.get(ChatEntitlementsRegistry);
    entitlements.admit.mockResolvedValue({ admitted: true, allowance: { webSearch: false } });
    const admitted = { ...turnPlan, allowance: { webSearch: false } };
    limits.chat.mockResolvedValue({ limit: 60, remaining: 59, resetSeconds: 60 });
    chat.run.mockResolvedValue({
      status: 'completed',
      text: 'hi',
      agentUsed: 'triage',
      model: 'm',
      handoffOccurred: false,
      usage: {} as never,
      messageId: 3,
    });
    const release = jest.fn().mockResolvedValue(undefined);
    limits.streamSlot.mockResolvedValue({ release, evicted: new AbortController().signal });
    return {
      sut,
      chat,
      limits,
      streams,
      response,
      turnPlan,
      admitted,
      entitlements,
      release,
      runs,
      chatRun,
      cancel,
    };
  };
  const order = (...mocks: { mock: { invocationCallOrder: number[] } }[]) =>
    mocks.map((mock) => mock.mock.invocationCallOrder[0] ?? Infinity);

  it('plans first: a refused message never spends the chat quota', async () => {
    const t = setup();
    t.chat.plan.mockImplementation(() => {
      throw new RequestValidationException([]);
    });
    await expect(t.sut.chat(principal(), request(), t.response)).rejects.toBeInstanceOf(
      RequestValidationException,
    );
    expect(t.limits.chat).not.toHaveBeenCalled();
    expect(t.chat.run).not.toHaveBeenCalled();
  });

  it('charges the quota before the run and sets the RateLimit headers', async () => {
    const t = setup();
    const answer = await t.sut.chat(principal(), request(), t.response);
    const ordered = order(t.chat.plan, t.limits.chat, t.chat.run);
    expect([...ordered].sort((a, b) => a - b)).toEqual(ordered);
    expect(t.entitlements.admit).toHaveBeenCalledWith(TENANT_ID);
    expect(t.chat.run).toHaveBeenCalledWith(t.admitted, {
      mode: 'sync',
      startedAt: expect.any(Number),
      signal: expect.any(AbortSignal),
    });
    expect(t.response.setHeader.mock.calls).toEqual([
      ['RateLimit-Limit', '60'],
      ['RateLimit-Remaining', '59'],
      ['RateLimit-Reset', '60'],
      ['X-Run-Id', 'run-1'],
    ]);
    expect(answer).toMatchObject({
      response: 'hi',
      conversation_id: CONVERSATION_ID,
      metadata: { tools_available: ['web_search'], message_id: 3, run_id: 'run-1' },
    });
  });

  it('sets X-Run-Id, serves the send as a registered run and finishes it with its outcome', async () => {
    const t = setup();
    await t.sut.chat(principal(), request(), t.response);
    expect(t.runs.open).toHaveBeenCalledWith(t.admitted, 'sync');
    expect(t.response.setHeader).toHaveBeenCalledWith('X-Run-Id', 'run-1');
    expect(t.response.once).toHaveBeenCalledWith('close', expect.any(Function));
    expect(t.response.off).toHaveBeenCalledWith('close', t.response.once.mock.calls[0][1]);
    expect(t.chatRun.finish).toHaveBeenCalledWith('completed', 3, 0);
  });

  it('passes a cancel of the run on to the turn (reason RUN_CANCELLED)', async () => {
    const t = setup();
    let seen: AbortSignal | undefined;
    t.chat.run.mockImplementation((_plan, options) => {
      seen = options.signal;
      t.cancel.abort(RUN_CANCELLED);
      return Promise.resolve({
        status: 'cancelled',
        text: '',
        agentUsed: 'triage',
        model: 'm',
        handoffOccurred: false,
        usage: {} as never,
        messageId: null,
      });
    });
    await expect(t.sut.chat(principal(), request(), t.response)).rejects.toBeInstanceOf(
      ChatRunCancelledException,
    );
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe(RUN_CANCELLED);
  });

  it('answers a cancelled run with 409 run_cancelled and finishes it as cancelled', async () => {
    const t = setup();
    t.chat.run.mockResolvedValue({
      status: 'cancelled',
      text: 'partial',
      agentUsed: 'triage',
      model: 'm',
      handoffOccurred: false,
      usage: {} as never,
      messageId: 9,
    });
    const error = await t.sut
      .chat(principal(), request(), t.response)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChatRunCancelledException);
    expect((error as ChatRunCancelledException).getStatus()).toBe(409);
    expect((error as ChatRunCancelledException).code).toBe('run_cancelled');
    expect(t.response.setHeader).toHaveBeenCalledWith('X-Run-Id', 'run-1');
    expect(t.chatRun.finish).toHaveBeenCalledWith('cancelled', 9, 0);
  });

  it('stops the turn when the client closes the connection before the answer', async () => {
    const t = setup();
    let seen: AbortSignal | undefined;
    t.chat.run.mockImplementation((_plan, options) => {
      seen = options.signal;
      (t.response.once.mock.calls[0][1] as () => void)();
      return Promise.reject(new ChatTurnError(ChatErrorCode.Internal));
    });
    await expect(t.sut.chat(principal(), request(), t.response)).rejects.toBeInstanceOf(
      ChatFailedException,
    );
    expect(seen?.aborted).toBe(true);
    expect(t.chatRun.finish).toHaveBeenCalledWith('failed', null, 0);
  });

  it('refuses a tenant over its plan quota with 402 quota_exceeded, before the rate limit and the run', async () => {
    const t = setup();
    const periodEnd = new Date('2026-12-31T00:00:00Z');
    t.entitlements.admit.mockResolvedValue({
      admitted: false,
      refusal: { feature: 'chat_tokens', limit: 1000, used: 1200, periodEnd },
    });
    const error = await t.sut
      .chat(principal(), request(), t.response)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChatQuotaExceededException);
    expect((error as ChatQuotaExceededException).getStatus()).toBe(402);
    expect((error as ChatQuotaExceededException).code).toBe('quota_exceeded');
    expect((error as ChatQuotaExceededException).details).toEqual({
      feature: 'chat_tokens',
      limit: 1000,
      used: 1200,
      period_end: '2026-12-31T00:00:00Z',
    });
    expect(t.limits.chat).not.toHaveBeenCalled();
    expect(t.chat.run).not.toHaveBeenCalled();
    await expect(t.sut.stream(principal(), request(), {} as never)).rejects.toBeInstanceOf(
      ChatQuotaExceededException,
    );
    expect(t.limits.streamStart).not.toHaveBeenCalled();
    expect(t.limits.streamSlot).not.toHaveBeenCalled();
  });

  it('does not run the turn when the quota refuses (429 propagates)', async () => {
    const t = setup();
    const refused = new Error('429');
    t.limits.chat.mockRejectedValue(refused);
    await expect(t.sut.chat(principal(), request(), t.response)).rejects.toBe(refused);
    expect(t.chat.run).not.toHaveBeenCalled();
  });

  it('translates a failed turn into its status (model timeout: 504)', async () => {
    const t = setup();
    t.chat.run.mockRejectedValue(new ChatTurnError(ChatErrorCode.ModelTimeout));
    const error = await t.sut
      .chat(principal(), request(), t.response)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChatFailedException);
    expect((error as ChatFailedException).getStatus()).toBe(504);
    expect((error as ChatFailedException).code).toBe('model_timeout');
    // The quota passed before the run, so the error response carries the RateLimit headers too.
    expect(t.response.setHeader).toHaveBeenCalledWith('RateLimit-Remaining', '59');
  });

  it('lets an HTTP error raised during the turn through as it is', async () => {
    const t = setup();
    const shaped = new RequestValidationException([]);
    t.chat.run.mockRejectedValue(shaped);
    await expect(t.sut.chat(principal(), request(), t.response)).rejects.toBe(shaped);
  });

  it('plans the stream first: a refused message spends no stream quota and takes no slot', async () => {
    const t = setup();
    t.chat.plan.mockImplementation(() => {
      throw new RequestValidationException([]);
    });
    await expect(
      t.sut.stream(principal(), request(), { request: {} as never, response: t.response }),
    ).rejects.toBeInstanceOf(RequestValidationException);
    expect(t.limits.streamStart).not.toHaveBeenCalled();
    expect(t.limits.streamSlot).not.toHaveBeenCalled();
    expect(t.streams.serve).not.toHaveBeenCalled();
  });

  it('streams only after the stream quota and a concurrency slot, and always releases the slot', async () => {
    const t = setup();
    const http = { request: {} as never, response: t.response };
    t.streams.serve.mockRejectedValue(new Error('socket closed'));
    await expect(t.sut.stream(principal(), request(), http)).rejects.toThrow('socket closed');
    const ordered = order(
      t.chat.plan,
      t.limits.streamStart,
      t.limits.streamSlot,
      t.streams.serve,
      t.release,
    );
    expect([...ordered].sort((a, b) => a - b)).toEqual(ordered);
    expect(ordered.every(Number.isFinite)).toBe(true);
    expect(t.limits.chat).not.toHaveBeenCalled();
    const slot = await t.limits.streamSlot.mock.results[0].value;
    expect(t.streams.serve).toHaveBeenCalledWith(t.admitted, http, slot, expect.any(Number));
  });

  it('takes no slot when the stream quota refuses', async () => {
    const t = setup();
    t.limits.streamStart.mockRejectedValue(new Error('429'));
    await expect(
      t.sut.stream(principal(), request(), { request: {} as never, response: t.response }),
    ).rejects.toThrow('429');
    expect(t.limits.streamSlot).not.toHaveBeenCalled();
    expect(t.streams.serve).not.toHaveBeenCalled();
  });
});

describe('ChatController: one service call per endpoint', () => {
  const setup = () => {
    const { sut, mocks } = newTestService(ChatController);
    return { sut, requests: mocks.get(ChatRequestService) };
  };

  it('hands POST /chat the principal, the body and the response for its headers', async () => {
    const t = setup();
    const answer = { response: 'hi' } as never;
    t.requests.chat.mockResolvedValue(answer);
    const response = {} as Response;
    await expect(t.sut.chatWithAgent(principal(), request(), undefined, response)).resolves.toBe(
      answer,
    );
    expect(t.requests.chat).toHaveBeenCalledWith(principal(), request(), response, undefined);
  });

  it('hands POST /chat/stream the principal, the body and the Express exchange', async () => {
    const t = setup();
    const http = { request: {} as never, response: {} as Response };
    await t.sut.streamChatWithAgent(principal(), request(), 'k-1', http.request, http.response);
    expect(t.requests.stream).toHaveBeenCalledWith(principal(), request(), http, 'k-1');
  });
});
