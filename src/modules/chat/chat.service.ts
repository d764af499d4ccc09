import { Injectable } from '@nestjs/common';
import type { AgentInputItem, RunItem, Session, Usage } from '@openai/agents';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AppConfig } from '../../platform/config/app-config';
import { RequestValidationException } from '../../platform/http/validation/request-validation.exception';
import { LoggerFactory, logEvent } from '../../platform/observability/logger.factory';
import { MetricsService } from '../../platform/observability/metrics.service';
import { GenAi, inSpan } from '../../platform/observability/tracing';
import {
  AgentRuntime,
  DEFAULT_AGENT,
  isAgentKey,
  onInterruptedModelCalls,
  tokensOf,
  type AgentKey,
  type ModelTokens,
} from '../agents';
import type { Principal } from '../auth';
import { conversationOwnerOf, TranscriptService, type OpenTurn } from '../conversations';
import type { ChatRunContext } from '../tools';
import { ChatErrorCode, ChatTurnError } from './chat.errors';
import { ChatMetrics } from './chat.metrics';
import { ChatEntitlementsRegistry } from './chat-entitlements.port';
import {
  RUN_CANCELLED,
  ZERO_USAGE,
  type TurnOptions,
  type TurnPlan,
  type TurnResult,
  type TurnUsage,
} from './chat-turn';
import { clientContextOf } from './client-context';
import type { AgentChatRequest } from './dto/agent-chat-request.dto';

/** What a run produced, whatever its outcome; the persistence step reads it. */
class RunProgress {
  /** Text deltas streamed so far (the partial reply if the run stops early). */
  streamed = '';
  finalText: string | null = null;
  completed = false;
  usage: Usage | null = null;
  /** Estimated tokens of model calls interrupted before reporting usage (agents/interrupted-calls). */
  interrupted: ModelTokens = { input: 0, output: 0, cached: 0, reasoning: 0 };
  handoffs = 0;
  firstTokenAt: number | null = null;

  constructor(public agent: AgentKey) {}

  /** The turn's tokens: what the provider reported plus the interrupted calls' estimates. */
  tokens(): ModelTokens | null {
    const interrupted = this.interrupted.input + this.interrupted.output > 0;
    if (!this.usage && !interrupted) return null;
    const reported = tokensOf(this.usage ?? undefined);
    return {
      input: reported.input + this.interrupted.input,
      output: reported.output + this.interrupted.output,
      cached: reported.cached,
      reasoning: reported.reasoning,
    };
  }

  addInterrupted(tokens: ModelTokens): void {
    this.interrupted.input += tokens.input;
    this.interrupted.output += tokens.output;
  }
}

function usageOf(usage: Usage | null): TurnUsage {
  if (!usage) return { ...ZERO_USAGE };
  const tokens = tokensOf(usage);
  return {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    total_tokens: usage.totalTokens,
    cached_tokens: tokens.cached,
    reasoning_tokens: tokens.reasoning,
    requests: usage.requests,
  };
}

/** Tokens a turn counts toward the plan quota: input plus output (reasoning is part of output). */
function tokensUsed(tokens: ModelTokens | null): number {
  return tokens ? tokens.input + tokens.output : 0;
}

/**
 * One chat turn, streamed or not (decisions C2, C3, C7): store the user message, run the entry
 * agent with the conversation's SDK session as memory and the caller as run context, then, in
 * a `finally` path owned here (not by the HTTP consumer), store the reply (completed, or the
 * partial text as incomplete) with its token usage.
 */
@Injectable()
export class ChatService {
  private readonly log: Logger;

  constructor(
    private readonly config: AppConfig,
    private readonly runtime: AgentRuntime,
    private readonly transcript: TranscriptService,
    private readonly metrics: ChatMetrics,
    private readonly entitlements: ChatEntitlementsRegistry,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('chat');
  }

  /**
   * Resolves the caller's ownership, validates the message length and resolves ids and the entry
   * agent, all before any work or any byte of a stream. An unknown `agent_type` falls back to
   * `triage` (reference behaviour, pinned by test/unit/services/chat-run-planning.service.spec.ts);
   * only the resolved key is ever stored.
   */
  plan(principal: Principal, request: AgentChatRequest): TurnPlan {
    const owner = conversationOwnerOf(principal);
    const max = this.config.CHAT_MAX_MESSAGE_CHARS;
    if (request.message.length > max) {
      throw new RequestValidationException([
        {
          type: 'string_too_long',
          loc: ['body', 'message'],
          msg: `String should have at most ${max} characters`,
          input: `${request.message.slice(0, 64)}...`,
          ctx: { max_length: max },
        },
      ]);
    }
    const requested = request.agent_type ?? DEFAULT_AGENT;
    return {
      owner,
      publicId: request.conversation_id ? request.conversation_id : randomUUID(),
      fresh: !request.conversation_id,
      entryAgent: isAgentKey(requested) ? requested : DEFAULT_AGENT,
      message: request.message,
      runId: randomUUID(),
      allowance: { webSearch: true },
      clientContext: clientContextOf(request.context, this.config.CHAT_CONTEXT_MAX_BYTES),
    };
  }

  /**
   * Runs one turn; throws `ChatTurnError` (stable code) when it fails. Traced as one GenAI
   * `invoke_agent` span; the database writes and model calls of the turn are its children.
   */
  run(plan: TurnPlan, options: TurnOptions): Promise<TurnResult> {
    const attributes = {
      [GenAi.operationName]: 'invoke_agent',
      [GenAi.agentName]: plan.entryAgent,
      [GenAi.conversationId]: plan.publicId,
      'chat.run_id': plan.runId,
      'chat.mode': options.mode,
    };
    return inSpan(`invoke_agent ${plan.entryAgent}`, { attributes }, async (span) => {
      const result = await this.runTurn(plan, options);
      span.setAttributes({
        'chat.result': result.status,
        'chat.agent_used': result.agentUsed,
        [GenAi.requestModel]: result.model,
        [GenAi.inputTokens]: result.usage.input_tokens,
        [GenAi.outputTokens]: result.usage.output_tokens,
      });
      return result;
    });
  }

  private async runTurn(plan: TurnPlan, options: TurnOptions): Promise<TurnResult> {
    const startedAt = options.startedAt ?? performance.now();
    const owner = plan.owner;
    const message = { text: plan.message, at: new Date(), runId: plan.runId };
    // A conversation the server just named has no memory to read: its rows are written while
    // the model is already being asked (time to first token), and a failed write stops the run.
    const stop = new AbortController();
    options.signal?.addEventListener('abort', () => stop.abort(), { once: true });
    let session: Session;
    let pending: Promise<OpenTurn>;
    if (plan.fresh) {
      const fresh = this.transcript.beginFresh(owner, plan.publicId, plan.entryAgent, message);
      session = fresh.session;
      pending = fresh.turn;
      pending.catch(() => stop.abort());
    } else {
      pending = this.transcript.begin(owner, plan.publicId, plan.entryAgent, message);
      const opened = await this.awaitTurn(pending, plan, options, startedAt);
      session = opened.session;
    }

    const progress = new RunProgress(plan.entryAgent);
    const context: ChatRunContext = {
      tenantId: owner.tenantId,
      userId: owner.userId,
      webSearch: plan.allowance.webSearch,
      client: plan.clientContext,
    };
    const runOptions = { ...options, signal: stop.signal };
    let runError: unknown;
    try {
      await onInterruptedModelCalls(
        (tokens) => progress.addInterrupted(tokens),
        () =>
          options.mode === 'stream'
            ? this.runStreamed(plan, session, context, progress, runOptions)
            : this.runOnce(plan, session, context, progress, runOptions.signal),
      );
    } catch (error) {
      runError = error;
    }
    const turn = await this.awaitTurn(pending, plan, options, startedAt);

    const aborted = !progress.completed && options.signal?.aborted === true;
    const cancelled = aborted && options.signal?.reason === RUN_CANCELLED;
    let messageId: number | null = null;
    let persistError: unknown;
    try {
      messageId = await this.persistReply(turn, progress, startedAt, plan.runId);
      if (messageId !== null)
        this.entitlements.consumed(owner.tenantId, tokensUsed(progress.tokens()));
    } catch (error) {
      persistError = error;
      this.log.error({ err: error, conversation: turn.conversationId }, 'Chat reply not stored');
    }

    const result =
      progress.completed && !persistError
        ? 'completed'
        : cancelled
          ? 'cancelled'
          : aborted
            ? 'incomplete'
            : 'failed';
    this.finishMetrics(plan, options, startedAt, result, progress);
    if (result === 'completed' || result === 'cancelled' || result === 'incomplete') {
      if (result !== 'completed') this.metrics.cancellations.inc();
      return this.result(result, progress, messageId);
    }
    const failure = runError
      ? ChatTurnError.from(runError)
      : new ChatTurnError(
          persistError ? ChatErrorCode.PersistenceFailed : ChatErrorCode.Internal,
          persistError,
        );
    throw this.failure(failure, plan, options);
  }

  /** The opened turn, or the reference persistence failure (the run is not attempted/kept). */
  private async awaitTurn(
    pending: Promise<OpenTurn>,
    plan: TurnPlan,
    options: TurnOptions,
    startedAt: number,
  ): Promise<OpenTurn> {
    try {
      return await pending;
    } catch (error) {
      this.finishMetrics(plan, options, startedAt, 'failed');
      throw this.failure(new ChatTurnError(ChatErrorCode.PersistenceFailed, error), plan, options);
    }
  }

  private async runOnce(
    plan: TurnPlan,
    session: Session,
    context: ChatRunContext,
    progress: RunProgress,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const result = await this.runtime.runner.run(
      this.runtime.agent(plan.entryAgent),
      plan.message,
      {
        session,
        context,
        maxTurns: this.runtime.maxTurns,
        signal,
      },
    );
    progress.usage = result.state.usage;
    for (const item of result.newItems) this.noteItem(item, progress);
    progress.agent = this.runtime.keyOf(result.lastAgent) ?? progress.agent;
    progress.finalText = String(result.finalOutput ?? '');
    progress.completed = true;
  }

  private async runStreamed(
    plan: TurnPlan,
    session: Session,
    context: ChatRunContext,
    progress: RunProgress,
    options: TurnOptions,
  ): Promise<void> {
    const onDelta = options.onDelta;
    const result = await this.runtime.runner.run(
      this.runtime.agent(plan.entryAgent),
      plan.message,
      {
        stream: true,
        session,
        context,
        maxTurns: this.runtime.maxTurns,
        signal: options.signal,
      },
    );
    try {
      for await (const event of result) {
        if (event.type === 'raw_model_stream_event') {
          if (event.data.type !== 'output_text_delta') continue;
          const delta = event.data.delta;
          if (!delta) continue;
          if (progress.firstTokenAt === null) progress.firstTokenAt = performance.now();
          progress.streamed += delta;
          if (onDelta) await onDelta(delta, progress.agent);
        } else if (event.type === 'agent_updated_stream_event') {
          progress.agent = this.runtime.keyOf(event.agent) ?? progress.agent;
        } else if (event.type === 'run_item_stream_event' && event.name === 'handoff_occurred') {
          this.noteItem(event.item, progress);
        }
      }
      await result.completed;
    } finally {
      // The usage of the run's finished model calls, also when it was interrupted.
      progress.usage = result.state.usage;
    }
    if (result.error) throw result.error instanceof Error ? result.error : new Error('Run failed');
    if (result.cancelled || options.signal?.aborted) return;
    progress.agent = this.runtime.keyOf(result.lastAgent) ?? progress.agent;
    progress.finalText = String(result.finalOutput ?? progress.streamed);
    progress.completed = true;
  }

  private noteItem(item: RunItem, progress: RunProgress): void {
    if (item.type !== 'handoff_output_item') return;
    progress.handoffs += 1;
    const from = this.runtime.keyOf(item.sourceAgent) ?? 'unknown';
    const to = this.runtime.keyOf(item.targetAgent) ?? 'unknown';
    this.metrics.handoffs.inc({ from, to });
  }

  /**
   * Stores the reply: the final output of a completed run, else the partial streamed text as
   * `incomplete` (nothing when there is none). An interrupted run's partial reply also goes
   * into the SDK memory, so the next turn's context matches the transcript.
   */
  private async persistReply(
    turn: OpenTurn,
    progress: RunProgress,
    startedAt: number,
    runId: string,
  ): Promise<number | null> {
    const text = progress.completed ? (progress.finalText ?? '') : progress.streamed;
    if (!progress.completed && !text) return null;
    if (!progress.completed) await this.rememberPartial(turn, text);
    const tokens = progress.tokens();
    const stored = await this.transcript.finish(turn.conversationId, {
      text,
      at: new Date(),
      status: progress.completed ? 'completed' : 'incomplete',
      agent: progress.agent,
      model: this.runtime.model(progress.agent),
      usage: tokens
        ? {
            inputTokens: tokens.input,
            outputTokens: tokens.output,
            reasoningTokens: tokens.reasoning,
          }
        : null,
      latencyMs: Math.round(performance.now() - startedAt),
      handoffs: progress.handoffs,
      sessionSynced: progress.completed,
      runId,
    });
    return stored?.id ?? null;
  }

  private async rememberPartial(turn: OpenTurn, text: string): Promise<void> {
    const item = {
      type: 'message',
      role: 'assistant',
      status: 'incomplete',
      content: [{ type: 'output_text', text }],
    } as AgentInputItem;
    await turn.session.addItems([item]).catch((error: unknown) => {
      this.log.warn({ err: error }, 'Partial reply not added to conversation memory');
    });
  }

  private result(
    status: TurnResult['status'],
    progress: RunProgress,
    messageId: number | null,
  ): TurnResult {
    return {
      status,
      text: status === 'completed' ? (progress.finalText ?? '') : progress.streamed,
      agentUsed: progress.agent,
      model: this.runtime.model(progress.agent),
      handoffOccurred: progress.handoffs > 0,
      usage: usageOf(progress.usage),
      messageId,
    };
  }

  private finishMetrics(
    plan: TurnPlan,
    options: TurnOptions,
    startedAt: number,
    result: 'completed' | 'cancelled' | 'incomplete' | 'failed',
    progress?: RunProgress,
  ): void {
    this.metrics.requests.inc({ mode: options.mode, agent: plan.entryAgent, result });
    this.metrics.duration.observe(MetricsService.secondsSince(startedAt));
    if (progress?.firstTokenAt != null) {
      this.metrics.timeToFirstToken.observe(
        Math.max(0, (progress.firstTokenAt - startedAt) / 1000),
      );
    }
    logEvent(this.log, result === 'failed' ? 'warn' : 'info', 'chat.turn', {
      run_id: plan.runId,
      mode: options.mode,
      entry_agent: plan.entryAgent,
      agent: progress?.agent ?? plan.entryAgent,
      result,
      duration_ms: Math.round(performance.now() - startedAt),
      input_tokens: progress?.usage?.inputTokens ?? 0,
      output_tokens: progress?.usage?.outputTokens ?? 0,
      handoffs: progress?.handoffs ?? 0,
    });
  }

  private failure(error: ChatTurnError, plan: TurnPlan, options: TurnOptions): ChatTurnError {
    this.log.error(
      {
        err: error.cause ?? error,
        code: error.code,
        run_id: plan.runId,
        mode: options.mode,
        agent: plan.entryAgent,
      },
      'Chat turn failed',
    );
    return error;
  }
}
