import { Injectable } from '@nestjs/common';
import { keysetPage, RequestValidationException, type KeysetPage } from '../../platform/http';
import { isoOffset } from '../../platform/time/iso';
import { mapConversationId } from './conversation-id';
import type { ConversationOwner } from './conversation-owner';
import {
  ConversationRepository,
  type ConversationChanges,
  type StoredMessage,
  type SummaryRow,
} from './conversation.repository';
import { ConversationNotFoundException } from './conversations.errors';
import type { ChatMessage } from './dto/chat-message.dto';
import type { ConversationHistory } from './dto/conversation-history.dto';
import {
  DEFAULT_MESSAGES_PAGE,
  type ConversationHistoryQuery,
} from './dto/conversation-history-query.dto';
import type { ConversationSummary } from './dto/conversation-summary.dto';
import type { ListConversationsQuery } from './dto/list-conversations-query.dto';
import type { UpdateConversationRequest } from './dto/update-conversation-request.dto';

/** Length of `last_message` in summaries (reference: 120 characters, no ellipsis). */
const SUMMARY_PREVIEW_CHARS = 120;
const ROLES = new Set(['user', 'assistant', 'system']);

export type ConversationPage = KeysetPage<ConversationSummary>;

/** A history, and the cursor of the next (older) page of messages when paging was asked for. */
export interface HistoryPage {
  history: ConversationHistory;
  olderCursor: string | null;
}

/**
 * Use cases of `/api/v1/conversations`, always within the caller's own conversations (C1):
 * list (filtered, decision C8), history (optionally paged), rename/archive, delete.
 */
@Injectable()
export class ConversationsService {
  constructor(private readonly conversations: ConversationRepository) {}

  async list(owner: ConversationOwner, query: ListConversationsQuery): Promise<ConversationPage> {
    const filters = {
      includeArchived: query.include_archived ?? false,
      agent: query.agent,
      updatedAfter: query.updated_after,
      q: query.q,
    };
    return keysetPage(
      query,
      (after, limit) => this.conversations.summaries(owner, filters, limit, after),
      (row) => ({ at: row.cursorAt, id: row.id }),
      toSummary,
    );
  }

  /**
   * The transcript: whole, exactly as before, without paging fields; otherwise the newest
   * `messages_limit` messages older than `before`, oldest first. `created_at`/`updated_at` are
   * the whole conversation's either way.
   */
  async get(
    owner: ConversationOwner,
    conversationId: string,
    query: ConversationHistoryQuery = {},
  ): Promise<HistoryPage> {
    const { key } = mapConversationId(conversationId);
    const conversation = await this.conversations.findByKey(owner, key);
    if (!conversation) throw new ConversationNotFoundException(conversationId);
    const objectFields = {
      title: conversation.title,
      archived: conversation.archivedAt !== null,
      archived_at: conversation.archivedAt ? isoOffset(conversation.archivedAt) : null,
    };

    if (query.messages_limit === undefined && query.before === undefined) {
      const messages = await this.conversations.messages(conversation.id);
      if (messages.length === 0) throw new ConversationNotFoundException(conversationId);
      return {
        history: {
          conversation_id: conversationId,
          messages: messages.map(toChatMessage),
          created_at: isoOffset(messages[0].createdAt),
          updated_at: isoOffset(messages[messages.length - 1].createdAt),
          agent_context: null,
          ...objectFields,
        },
        olderCursor: null,
      };
    }

    let beforePosition: number | null = null;
    if (query.before !== undefined) {
      beforePosition = await this.conversations.messagePosition(conversation.id, query.before);
      if (beforePosition === null) throw invalidMessageCursor(query.before);
    }
    const limit = query.messages_limit ?? DEFAULT_MESSAGES_PAGE;
    const page = await this.conversations.messagePage(conversation.id, limit, beforePosition);
    if (!page.firstAt || !page.lastAt) throw new ConversationNotFoundException(conversationId);
    const oldest = page.messages[0];
    return {
      history: {
        conversation_id: conversationId,
        messages: page.messages.map(toChatMessage),
        created_at: isoOffset(page.firstAt),
        updated_at: isoOffset(page.lastAt),
        agent_context: null,
        ...objectFields,
      },
      // The cursor is the oldest message's id: `before` takes any message id of the conversation.
      olderCursor: page.hasOlder && oldest ? String(oldest.id) : null,
    };
  }

  /** Rename and/or (un)archive; answers the updated summary. Not the owner's: 404 (C1). */
  async update(
    owner: ConversationOwner,
    conversationId: string,
    body: UpdateConversationRequest,
  ): Promise<ConversationSummary> {
    const changes: ConversationChanges = { title: body.title, archived: body.archived };
    if (changes.title === undefined && changes.archived === undefined) {
      throw new RequestValidationException([
        {
          type: 'value_error',
          loc: ['body'],
          msg: 'Value error, at least one of title, archived is required',
          input: body,
          ctx: { error: 'at least one of title, archived is required' },
        },
      ]);
    }
    const { key } = mapConversationId(conversationId);
    const row = await this.conversations.update(owner, key, changes);
    if (!row) throw new ConversationNotFoundException(conversationId);
    return toSummary(row);
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

function toSummary(row: SummaryRow): ConversationSummary {
  return {
    conversation_id: row.key,
    message_count: row.messageCount,
    last_message: Array.from(row.lastText).slice(0, SUMMARY_PREVIEW_CHARS).join(''),
    created_at: isoOffset(row.firstAt),
    updated_at: isoOffset(row.lastAt),
    title: row.title,
    archived: row.archivedAt !== null,
    archived_at: row.archivedAt ? isoOffset(row.archivedAt) : null,
  };
}

/** A `before` that names no message of this conversation: 422 like a forged list cursor. */
function invalidMessageCursor(raw: string): RequestValidationException {
  return new RequestValidationException([
    {
      type: 'value_error',
      loc: ['query', 'before'],
      msg: 'Value error, invalid cursor',
      input: raw,
    },
  ]);
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
