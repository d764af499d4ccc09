import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth';
import { ToolCatalog } from '../tools';
import {
  ChatQuotaExceededException,
  ChatRunCancelledException,
  toChatFailure,
} from './chat.errors';
import { ChatEntitlementsRegistry } from './chat-entitlements.port';
import {
  ChatIdempotency,
  NO_CLAIM,
  REPLAYED_HEADER,
  type Admission,
  type IdempotentMode,
} from './chat-idempotency.service';
import { ChatRateLimits, setRateLimitHeaders, type HeaderSink } from './chat-rate-limits.service';
import { ChatStreamService, type ChatExchange } from './chat-stream.service';
import { ChatService } from './chat.service';
import type { TurnPlan, TurnResult } from './chat-turn';
import type { RunState } from './runs/chat-run-keys';
import { ChatRunRegistry } from './runs/chat-run-registry.service';
import type { AgentChatRequest } from './dto/agent-chat-request.dto';
import { AgentChatResponse } from './dto/agent-chat-response.dto';

/** The run id of a chat send, on both endpoints (the stream's frames carry it too). */
export const RUN_ID_HEADER = 'X-Run-Id';

/** The response of `POST /api/v1/chat` as the request service uses it (Express's satisfies it). */
export interface ChatResponseSink extends HeaderSink {
  readonly writableFinished: boolean;
  once(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}

/**
 * One chat request from admission to answer, `POST /api/v1/chat` (`chat`) or its `/stream` variant
 * (`stream`). The order is a business rule, so it lives here and not in the controller:
 * plan -> idempotency key -> entitlements -> quota -> (stream: concurrency slot) -> serve ->
 * (stream: release the slot).
 * - Planning (tenant, message length, ids) comes first, so a refused message spends no quota.
 * - The idempotency key (decision C9) is claimed before entitlements and quotas, so a replay of a
 *   completed send, a duplicate still running and a reused key spend neither; every refusal or
 *   failure after the claim releases it, so the client may retry.
 * - The plan's entitlements (period quota, tools) come before the rate limit, so a tenant over
 *   its period quota is told so (402) without spending its per-minute budget.
 * - The quota comes before the slot, so a refused quota never takes a slot.
 * - Every refusal happens before a single byte is served, so it is a plain JSON error response.
 * - The slot is released even when serving throws.
 */
@Injectable()
export class ChatRequestService {
  constructor(
    private readonly turns: ChatService,
    private readonly limits: ChatRateLimits,
    private readonly streams: ChatStreamService,
    private readonly tools: ToolCatalog,
    private readonly entitlements: ChatEntitlementsRegistry,
    private readonly idempotency: ChatIdempotency,
    private readonly runs: ChatRunRegistry,
  ) {}

  /**
   * `POST /api/v1/chat`. `headers` gets the RateLimit headers as soon as the quota passed, so a
   * failed turn's error response carries them too. A failed turn becomes its HTTP failure (stable
   * code).
   */
  async chat(
    principal: Principal,
    request: AgentChatRequest,
    headers: ChatResponseSink,
    idempotencyKey?: string,
  ): Promise<AgentChatResponse> {
    const startedAt = performance.now();
    const planned = this.turns.plan(principal, request);
    const admission = await this.claim(principal, request, idempotencyKey, planned, 'sync');
    if ('replay' in admission && admission.replay.body) {
      headers.setHeader(REPLAYED_HEADER, 'true');
      const runId = admission.replay.body.metadata?.run_id;
      if (runId) headers.setHeader(RUN_ID_HEADER, runId);
      return admission.replay.body;
    }
    const claim = 'claim' in admission ? admission.claim : NO_CLAIM;
    try {
      const plan = await this.admit(planned);
      setRateLimitHeaders(headers, await this.limits.chat(principal));
      headers.setHeader(RUN_ID_HEADER, plan.runId);
      const body = await this.runSync(plan, headers, startedAt);
      await claim.complete({ body });
      return body;
    } catch (error) {
      await claim.release();
      throw error;
    }
  }

  /**
   * The turn of `POST /api/v1/chat` as a cancellable run (decision C11): a cancel request answers
   * 409 `run_cancelled`; a client that disconnects stops the run (its answer has no reader).
   */
  private async runSync(
    plan: TurnPlan,
    exchange: ChatResponseSink,
    startedAt: number,
  ): Promise<AgentChatResponse> {
    const run = this.runs.open(plan, 'sync');
    const abort = new AbortController();
    const onCancel = () => abort.abort(run.signal.reason);
    const onClose = () => {
      if (!exchange.writableFinished) abort.abort();
    };
    run.signal.addEventListener('abort', onCancel, { once: true });
    exchange.once('close', onClose);
    let state: RunState = 'failed';
    let messageId: number | null = null;
    try {
      const result = await this.turns.run(plan, { mode: 'sync', startedAt, signal: abort.signal });
      state = result.status;
      messageId = result.messageId;
      if (result.status === 'cancelled') throw new ChatRunCancelledException();
      return this.answer(plan, result);
    } catch (error) {
      throw toChatFailure(error);
    } finally {
      run.signal.removeEventListener('abort', onCancel);
      exchange.off('close', onClose);
      await run.finish(state, messageId, 0);
    }
  }

  /**
   * `POST /api/v1/chat/stream`. Failures of the turn itself go in-band as an SSE error frame
   * (ChatStreamService); only the refusals before the stream opens reach the HTTP error path. The
   * stream is not charged the `chat_per_minute` quota of `POST /api/v1/chat`.
   */
  async stream(
    principal: Principal,
    request: AgentChatRequest,
    http: ChatExchange,
    idempotencyKey?: string,
  ): Promise<void> {
    const startedAt = performance.now();
    const planned = this.turns.plan(principal, request);
    const admission = await this.claim(principal, request, idempotencyKey, planned, 'stream');
    if ('replay' in admission && admission.replay.stream) {
      http.response.setHeader(REPLAYED_HEADER, 'true');
      http.response.setHeader(RUN_ID_HEADER, admission.replay.stream.runId);
      await this.streams.replay(admission.replay.stream, http);
      return;
    }
    const claim = 'claim' in admission ? admission.claim : NO_CLAIM;
    // Released unless the stream completed: a failed turn, a refusal and an interrupted stream
    // (the user never saw the whole answer) all let the retry run again.
    let completed = false;
    try {
      const plan = await this.admit(planned);
      setRateLimitHeaders(http.response, await this.limits.streamStart(principal));
      http.response.setHeader(RUN_ID_HEADER, plan.runId);
      const slot = await this.limits.streamSlot(principal);
      try {
        if (claim === NO_CLAIM) await this.streams.serve(plan, http, slot, startedAt);
        else {
          await this.streams.serve(plan, http, slot, startedAt, async (stream) => {
            completed = true;
            await claim.complete({ stream });
          });
        }
      } finally {
        // serve releases it before its last byte; this covers a throw before its own `finally`
        // (release is idempotent).
        await slot.release();
      }
    } finally {
      if (!completed) await claim.release();
    }
  }

  /** The idempotency admission of a send with a key (decision C9); a plain claim-less run without. */
  private async claim(
    principal: Principal,
    request: AgentChatRequest,
    headerKey: string | undefined,
    plan: TurnPlan,
    mode: IdempotentMode,
  ): Promise<Admission> {
    const key = this.idempotency.keyOf(request.client_message_id, headerKey);
    if (!key) return { claim: NO_CLAIM };
    return this.idempotency.admit(principal, key, plan, request.conversation_id || null, mode);
  }

  /** The plan's entitlements for this turn, or the 402 `quota_exceeded` refusal. */
  private async admit(plan: TurnPlan): Promise<TurnPlan> {
    const admission = await this.entitlements.admit(plan.owner.tenantId);
    if (!admission.admitted) throw new ChatQuotaExceededException(admission.refusal);
    return { ...plan, allowance: admission.allowance };
  }

  private answer(plan: TurnPlan, result: TurnResult): AgentChatResponse {
    return {
      response: result.text,
      conversation_id: plan.publicId,
      agent_used: result.agentUsed,
      handoff_occurred: result.handoffOccurred,
      metadata: {
        model_used: result.model,
        tools_available: this.tools.names(),
        usage: result.usage,
        message_id: result.messageId,
        run_id: plan.runId,
      },
    };
  }
}
