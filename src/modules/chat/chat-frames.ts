import { pythonJson } from '../../platform/sse/python-json';
import type { ChatErrorCode } from './chat.errors';
import type { TurnResult } from './chat-turn';

/**
 * The legacy SSE frames of `POST /api/v1/chat/stream` (decision C4), as single-line JSON payloads
 * for `data: ` blocks. Chunk frames are compact JSON with keys `chunk`, `conversation_id`,
 * `is_complete`, `agent_used` in that order; everything after the chunk text is precomputed per
 * stream, so a delta costs one string escape and a concatenation.
 */
export class ChatFrames {
  private readonly idJson: string;
  private readonly chunkTail = new Map<string, string>();

  constructor(private readonly conversationId: string) {
    this.idJson = JSON.stringify(conversationId);
  }

  chunk(delta: string, agent: string): string {
    let tail = this.chunkTail.get(agent);
    if (tail === undefined) {
      tail = `,"conversation_id":${this.idJson},"is_complete":false,"agent_used":${JSON.stringify(agent)}}`;
      this.chunkTail.set(agent, tail);
    }
    return `{"chunk":${JSON.stringify(delta)}${tail}`;
  }

  /** The one completion frame, sent only after the run completed; carries usage and message id. */
  final(result: TurnResult): string {
    return JSON.stringify({
      chunk: '',
      conversation_id: this.conversationId,
      is_complete: true,
      agent_used: result.agentUsed,
      usage: result.usage,
      message_id: result.messageId,
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
    });
  }
}
