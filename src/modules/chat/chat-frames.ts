import { pythonJson } from '../../platform/sse/python-json';
import type { ChatErrorCode } from './chat.errors';
import type { TurnResult } from './chat-turn';

/** How a run's stream ended, as its last frame says (`status`). */
export type FinalStatus = 'completed' | 'cancelled' | 'incomplete';

/**
 * The SSE frames of `POST /api/v1/chat/stream` (decision C4), as single-line JSON payloads for
 * `data: ` blocks. Chunk frames are compact JSON with the reference keys `chunk`,
 * `conversation_id`, `is_complete`, `agent_used` in that order, then `run_id` and `event_id`
 * (decision C11: ids in the payload, no `id:` lines). Event ids count 1, 2, 3... per run, so a
 * resumed stream (`last_event_id`) knows exactly what the client saw. Everything after the chunk
 * text but the event id is precomputed per stream, so a delta costs one string escape and a
 * concatenation.
 */
export class ChatFrames {
  private readonly idJson: string;
  private readonly runTail: string;
  private readonly chunkTail = new Map<string, string>();
  private sequence = 0;

  constructor(
    private readonly conversationId: string,
    private readonly runId: string,
  ) {
    this.idJson = JSON.stringify(conversationId);
    this.runTail = `,"run_id":${JSON.stringify(runId)},"event_id":"`;
  }

  /** The event id of the last frame made (0 before the first). */
  get lastEventId(): number {
    return this.sequence;
  }

  chunk(delta: string, agent: string): string {
    let tail = this.chunkTail.get(agent);
    if (tail === undefined) {
      tail = `,"conversation_id":${this.idJson},"is_complete":false,"agent_used":${JSON.stringify(agent)}${this.runTail}`;
      this.chunkTail.set(agent, tail);
    }
    return `{"chunk":${JSON.stringify(delta)}${tail}${++this.sequence}"}`;
  }

  /**
   * The one last frame of a run that was not a failure: `status` says whether it completed, was
   * cancelled or stopped without its client (incomplete); usage and message id of what was stored.
   */
  final(
    result: Pick<TurnResult, 'agentUsed' | 'usage' | 'messageId'>,
    status: FinalStatus,
  ): string {
    return JSON.stringify({
      chunk: '',
      conversation_id: this.conversationId,
      is_complete: true,
      agent_used: result.agentUsed,
      usage: result.usage,
      message_id: result.messageId,
      status,
      run_id: this.runId,
      event_id: String(++this.sequence),
    });
  }

  /**
   * In-band failure after the stream started: the reference keys and Python-style JSON, with a
   * generic `error` text and a stable `code` added; always the real conversation id (the replaced
   * service reported `"unknown"` for new chats; decision C4).
   */
  error(code: ChatErrorCode, message: string): string {
    return pythonJson({
      error: message,
      conversation_id: this.conversationId,
      is_complete: true,
      chunk: '',
      code,
      run_id: this.runId,
      event_id: String(++this.sequence),
    });
  }
}
