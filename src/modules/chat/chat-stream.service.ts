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
 * Writes one `POST /api/v1/chat/stream` response (decision C4) once guards, validation and both
 * quotas passed: chunk frames as deltas arrive, then exactly one final frame after the run
 * completed, or one in-band error frame. A client disconnect aborts the run (the service stores the
 * partial reply as incomplete); a draining server tells the client, aborts the run and waits
 * briefly for that reply to be stored.
 */
@Injectable()
export class ChatStreamService {
  constructor(
    private readonly chat: ChatService,
    private readonly sse: SseService,
    private readonly metrics: ChatMetrics,
  ) {}

  /**
   * `onCompleted` gets what a completed stream sent (for an idempotent replay, decision C9); it is
   * awaited before the final frame, so a client retrying right after that frame finds it stored.
   */
  async serve(
    plan: TurnPlan,
    http: ChatExchange,
    slot: Lease,
    startedAt: number,
    onCompleted?: (sent: StoredStream) => Promise<void>,
  ): Promise<void> {
    const frames = new ChatFrames(plan.publicId);
    const segments: StoredStream['segments'] = [];
    // Aborted by a client disconnect (the stream's signal) or by a server drain.
    const cancel = new AbortController();
    let settled: Promise<unknown> = Promise.resolve();
    const stream = this.sse.open(http.request, http.response, {
      name: 'chat',
      contentType: 'text/event-stream',
      onShutdown: async (open) => {
        const code = ChatErrorCode.ServerShuttingDown;
        await open.send(frames.error(code, chatErrorMessage(code)));
        cancel.abort();
        await settleWithin(settled, SHUTDOWN_SETTLE_MS);
      },
    });
    const onClose = () => cancel.abort();
    stream.signal.addEventListener('abort', onClose, { once: true });
    this.metrics.streamsActive.inc();
    let failed = false;
    try {
      const turn = this.chat.run(plan, {
        mode: 'stream',
        startedAt,
        signal: cancel.signal,
        onDelta: (delta, agent) => {
          if (onCompleted) record(segments, delta, agent);
          return stream.send(frames.chunk(delta, agent));
        },
      });
      settled = turn.catch(() => undefined);
      const result = await turn;
      if (result.status === 'completed') {
        if (onCompleted) {
          const final = {
            agentUsed: result.agentUsed,
            usage: result.usage,
            messageId: result.messageId,
          };
          await onCompleted({ conversationId: plan.publicId, segments, final });
        }
        await stream.send(frames.final(result));
      }
    } catch (error) {
      failed = true;
      const failure = ChatTurnError.from(error);
      await stream.send(frames.error(failure.code, failure.message));
    } finally {
      // Free the slot before the last byte, so a client that reconnects at once is not refused.
      await slot.release();
      stream.signal.removeEventListener('abort', onClose);
      stream.end(failed ? 'error' : 'completed');
      this.metrics.streamsActive.dec();
      this.metrics.streamDuration.observe(MetricsService.secondsSince(startedAt));
    }
  }

  /**
   * Replays a completed idempotent stream (decision C9) in the frame format of `serve`: one chunk
   * frame per stored agent segment, then the same final frame. No turn runs, no slot is taken.
   */
  async replay(stored: StoredStream, http: ChatExchange): Promise<void> {
    const frames = new ChatFrames(stored.conversationId);
    const stream = this.sse.open(http.request, http.response, {
      name: 'chat',
      contentType: 'text/event-stream',
    });
    try {
      for (const segment of stored.segments) {
        await stream.send(frames.chunk(segment.text, segment.agent));
      }
      await stream.send(
        frames.final({
          status: 'completed',
          text: '',
          model: '',
          handoffOccurred: false,
          agentUsed: stored.final.agentUsed,
          usage: stored.final.usage,
          messageId: stored.final.messageId,
        }),
      );
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
