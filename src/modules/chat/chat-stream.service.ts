import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { MetricsService } from '../../platform/observability/metrics.service';
import type { Lease } from '../../platform/rate-limit';
import { SseService } from '../../platform/sse';
import { ChatErrorCode, chatErrorMessage, ChatTurnError } from './chat.errors';
import { ChatFrames } from './chat-frames';
import { ChatMetrics } from './chat.metrics';
import { ChatService } from './chat.service';
import type { StoredStream } from './chat-idempotency.service';
import type { TurnPlan } from './chat-turn';
import type { RunState } from './runs/chat-run-keys';
import { ChatRunRegistry } from './runs/chat-run-registry.service';
import { ChatRunsService } from './runs/chat-runs.service';

/** How long a draining server waits for an interrupted turn to store its partial reply. */
const SHUTDOWN_SETTLE_MS = 5000;

function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    void promise.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The Express exchange a chat stream is written on (`SseService` opens the response). */
export interface ChatExchange {
  request: Request;
  response: Response;
}

/**
 * Writes one `POST /api/v1/chat/stream` response (decisions C4, C11) once guards, validation and
 * both quotas passed: chunk frames as deltas arrive, then exactly one final frame (`status`
 * completed, cancelled or incomplete), or one in-band error frame. Every frame carries the run id
 * and its event id and goes to the run's frame log, so the stream can be resumed on any replica
 * (`GET /chat/runs/{id}/stream`). A client that drops leaves the run going for the resume grace
 * (ChatRun.detach); a cancel request stops it with a `cancelled` frame; a draining server tells the
 * client, aborts the run and waits briefly for its partial reply to be stored.
 */
@Injectable()
export class ChatStreamService {
  constructor(
    private readonly chat: ChatService,
    private readonly sse: SseService,
    private readonly metrics: ChatMetrics,
    private readonly runs: ChatRunRegistry,
    private readonly runLog: ChatRunsService,
  ) {}

  /**
   * `onCompleted` gets what a completed stream sent (for an idempotent replay, decision C10); it is
   * awaited before the final frame, so a client retrying right after that frame finds it stored.
   */
  async serve(
    plan: TurnPlan,
    http: ChatExchange,
    slot: Lease,
    startedAt: number,
    onCompleted?: (sent: StoredStream) => Promise<void>,
  ): Promise<void> {
    const frames = new ChatFrames(plan.publicId, plan.runId);
    const run = this.runs.open(plan, 'stream');
    const segments: StoredStream['segments'] = [];
    // Aborted by a cancel request, a server drain, or a dropped client once the grace is over.
    const abort = new AbortController();
    const onCancel = () => abort.abort(run.signal.reason);
    run.signal.addEventListener('abort', onCancel, { once: true });
    let settled: Promise<unknown> = Promise.resolve();
    let ended = false;
    const stream = this.sse.open(http.request, http.response, {
      name: 'chat',
      contentType: 'text/event-stream',
      onShutdown: async (open) => {
        const code = ChatErrorCode.ServerShuttingDown;
        // This error frame is the stream's last: the run's own final frame is not sent after it.
        ended = true;
        await open.send(run.logged(frames, frames.error(code, chatErrorMessage(code))));
        abort.abort();
        await settleWithin(settled, SHUTDOWN_SETTLE_MS);
      },
    });
    const emit = (frame: string) => stream.send(run.logged(frames, frame));
    const emitLast = async (frame: () => string) => {
      if (ended) return;
      ended = true;
      await emit(frame());
    };
    const onClose = () => run.detach(() => abort.abort());
    stream.signal.addEventListener('abort', onClose, { once: true });
    this.metrics.streamsActive.inc();
    let state: RunState = 'failed';
    let messageId: number | null = null;
    try {
      const turn = this.chat.run(plan, {
        mode: 'stream',
        startedAt,
        signal: abort.signal,
        onDelta: (delta, agent) => {
          if (onCompleted) record(segments, delta, agent);
          return emit(frames.chunk(delta, agent));
        },
      });
      settled = turn.catch(() => undefined);
      const result = await turn;
      messageId = result.messageId;
      state = result.status;
      if (result.status === 'completed' && onCompleted) {
        const final = {
          agentUsed: result.agentUsed,
          usage: result.usage,
          messageId: result.messageId,
        };
        await onCompleted({ conversationId: plan.publicId, runId: plan.runId, segments, final });
      }
      await emitLast(() => frames.final(result, result.status));
    } catch (error) {
      const failure = ChatTurnError.from(error);
      await emitLast(() => frames.error(failure.code, failure.message));
    } finally {
      // Free the slot before the last byte, so a client that reconnects at once is not refused.
      await slot.release();
      run.signal.removeEventListener('abort', onCancel);
      stream.signal.removeEventListener('abort', onClose);
      await run.finish(state, messageId, frames.lastEventId);
      stream.end(state === 'failed' ? 'error' : 'completed');
      this.metrics.streamsActive.dec();
      this.metrics.streamDuration.observe(MetricsService.secondsSince(startedAt));
    }
  }

  /**
   * Replays a completed idempotent stream (decision C10): the frames it sent, or one chunk frame
   * per stored agent segment and the same final frame. No turn runs, no slot is taken.
   */
  async replay(stored: StoredStream, http: ChatExchange): Promise<void> {
    const frames = new ChatFrames(stored.conversationId, stored.runId);
    // The run's frame log, while retained, replays the exact frames (event ids included, so a
    // resume of the replay lines up); past its retention the stored text is sent in the same format.
    const logged = await this.runLog.framesOf(stored.runId);
    const stream = this.sse.open(http.request, http.response, {
      name: 'chat',
      contentType: 'text/event-stream',
    });
    try {
      if (logged) {
        for (const frame of logged) await stream.send(frame);
        return;
      }
      for (const segment of stored.segments) {
        await stream.send(frames.chunk(segment.text, segment.agent));
      }
      await stream.send(frames.final(stored.final, 'completed'));
    } finally {
      stream.end('completed');
    }
  }
}

/** Appends a delta to the stored segments, merging consecutive deltas of one agent. */
function record(segments: StoredStream['segments'], delta: string, agent: string): void {
  const last = segments[segments.length - 1];
  if (last && last.agent === agent) last.text += delta;
  else segments.push({ agent, text: delta });
}
