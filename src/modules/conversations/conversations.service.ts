import { Injectable } from '@nestjs/common';
import { keysetPage, type KeysetPage, type PageQuery } from '../../platform/http';
import { isoOffset } from '../../platform/time/iso';
import { mapConversationId } from './conversation-id';
import type { ConversationOwner } from './conversation-owner';
import { ConversationRepository, type StoredMessage } from './conversation.repository';
import { ConversationNotFoundException } from './conversations.errors';
import type { ChatMessage } from './dto/chat-message.dto';
import type { ConversationHistory } from './dto/conversation-history.dto';
import type { ConversationSummary } from './dto/conversation-summary.dto';

/** Length of `last_message` in summaries (reference: 120 characters, no ellipsis). */
const SUMMARY_PREVIEW_CHARS = 120;
const ROLES = new Set(['user', 'assistant', 'system']);

export type ConversationPage = KeysetPage<ConversationSummary>;

/**
 * Read and delete use cases of `/api/v1/conversations`, always within the caller's own
 * conversations (C1).
 */
@Injectable()
export class ConversationsService {
  constructor(private readonly conversations: ConversationRepository) {}

  async list(owner: ConversationOwner, query: PageQuery): Promise<ConversationPage> {
    return keysetPage(
      query,
      (after, limit) => this.conversations.summaries(owner, limit, after),
      (row) => ({ at: row.cursorAt, id: row.id }),
      (row) => ({
        conversation_id: row.key,
        message_count: row.messageCount,
        last_message: Array.from(row.lastText).slice(0, SUMMARY_PREVIEW_CHARS).join(''),
        created_at: isoOffset(row.firstAt),
        updated_at: isoOffset(row.lastAt),
      }),
    );
  }

  async get(owner: ConversationOwner, conversationId: string): Promise<ConversationHistory> {
    const { key } = mapConversationId(conversationId);
    const conversation = await this.conversations.findByKey(owner, key);
    if (!conversation) throw new ConversationNotFoundException(conversationId);
    const messages = await this.conversations.messages(conversation.id);
    if (messages.length === 0) throw new ConversationNotFoundException(conversationId);
    return {
      conversation_id: conversationId,
      messages: messages.map(toChatMessage),
      created_at: isoOffset(messages[0].createdAt),
      updated_at: isoOffset(messages[messages.length - 1].createdAt),
      agent_context: null,
    };
  }

  /**
   * Removes the transcript and the SDK memory (C3). A conversation the caller does not own,
   * including one that never existed, is a 404 (C1), indistinguishably.
   */
  async delete(owner: ConversationOwner, conversationId: string): Promise<void> {
    const { key } = mapConversationId(conversationId);
    const deleted = await this.conversations.delete(owner, key);
    if (!deleted) throw new ConversationNotFoundException(conversationId);
  }
}

function toChatMessage(message: StoredMessage): ChatMessage {
  return {
    // The reference refuses unknown roles with a 404; rows we write only hold these three.
    role: (ROLES.has(message.role) ? message.role : 'system') as ChatMessage['role'],
    content: message.text,
    timestamp: isoOffset(message.createdAt),
    id: message.id,
    position: message.position,
    status: message.status,
    agent: message.agent,
    model: message.model,
    usage:
      message.inputTokens === null && message.outputTokens === null
        ? null
        : { input_tokens: message.inputTokens ?? 0, output_tokens: message.outputTokens ?? 0 },
  };
}
