import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { ConversationRef } from './conversation-id';
import type { ConversationOwner } from './conversation-owner';
import { decodeMessageContent, encodeMessageContent } from './message-content';
import { isUniqueViolation, named, rowsOf, type Sql } from '../../platform/database';
import { keysetTimestampSql, type KeysetCursor } from '../../platform/http';

export type MessageRole = 'user' | 'assistant' | 'system';
export type MessageStatus = 'completed' | 'incomplete';

export interface OpenedConversation {
  id: string;
  /** The Agents SDK memory session of this conversation. */
  sessionId: string;
  /** True when this call created the row. */
  created: boolean;
}

export interface StartedTurn extends OpenedConversation {
  userMessage: StoredMessage;
}

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

export interface NewMessage {
  role: 'user' | 'assistant';
  text: string;
  at: Date;
  status?: MessageStatus;
  /** Assistant rows: the agent that produced the reply; also becomes `active_agent`. */
  agent?: string | null;
  model?: string | null;
  usage?: TokenCounts | null;
  latencyMs?: number | null;
  /** Added to the conversation's `handoff_count`. */
  handoffs?: number;
  /** Marks the end of a fully completed turn (`last_session_sync_at`). */
  sessionSynced?: boolean;
  /** The turn this message belongs to (`run_id`; also the conversation's `last_run_id`). */
  runId?: string | null;
}

export interface StoredMessage {
  id: number;
  position: number;
  role: string;
  text: string;
  createdAt: Date;
  status: string;
  agent: string | null;
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
}

export interface AppendedMessage {
  message: StoredMessage;
  /** The conversation's tenant. */
  tenantId: string;
}

export interface ConversationRow {
  id: string;
  key: string;
  messageCount: number;
  sdkSessionId: string | null;
  title: string | null;
  archivedAt: Date | null;
}

export interface SummaryRow {
  key: string;
  messageCount: number;
  firstAt: Date;
  lastAt: Date;
  lastText: string;
  /** Exact (microsecond) sort position, for the next page's cursor. */
  cursorAt: string;
  id: string;
  title: string | null;
  archivedAt: Date | null;
}

/** List filters (decision C8); all optional, combined with AND. */
export interface SummaryFilters {
  /** Archived conversations are left out unless this is true. */
  includeArchived?: boolean;
  /** The agent key the conversation was last started with or last answered by. */
  agent?: string;
  /** RFC 3339 date-time, compared by Postgres (microseconds kept, unlike a JS Date). */
  updatedAfter?: string;
  /** Case-insensitive substring of the title or of any message text. */
  q?: string;
}

/** What a `PATCH` changes; an absent field is left as it is. */
export interface ConversationChanges {
  title?: string;
  archived?: boolean;
}

/** One page of a transcript, oldest first, with the whole conversation's time span. */
export interface MessagePage {
  messages: StoredMessage[];
  /** Whether messages older than the page exist. */
  hasOlder: boolean;
  firstAt: Date | null;
  lastAt: Date | null;
}

interface MessageDbRow {
  id: string;
  position: number;
  role: string;
  content: unknown;
  created_at: Date;
  status: string;
  agent_type: string | null;
  model: string | null;
  token_count_prompt: number | null;
  token_count_completion: number | null;
}

interface SummaryDbRow {
  id: string;
  conversation_key: string;
  message_count: number;
  title: string | null;
  archived_at: Date | null;
  cursor_at: string;
  first_at: Date | null;
  last_at: Date | null;
  last_content: unknown;
}

const MESSAGE_COLUMNS = `id, position, role, content, created_at, status, agent_type, model,
              token_count_prompt, token_count_completion`;

/**
 * The summary of each conversation row `c` of `source` (a table or a CTE with the same
 * columns): its columns plus the first and last message, one index probe each.
 */
function summarySql(source: string, where: string, tail = ''): string {
  return `SELECT c.id, c.conversation_key, c.message_count, c.title, c.archived_at,
              ${keysetTimestampSql('c.last_message_at')} AS cursor_at,
              f.created_at AS first_at, l.created_at AS last_at, l.content AS last_content
         FROM ${source} c
         LEFT JOIN LATERAL (
           SELECT created_at FROM agent_messages
            WHERE conversation_id = c.id ORDER BY position LIMIT 1
         ) f ON true
         LEFT JOIN LATERAL (
           SELECT created_at, content FROM agent_messages
            WHERE conversation_id = c.id ORDER BY position DESC LIMIT 1
         ) l ON true
        WHERE ${where}
        ${tail}`;
}

/** Rows without messages (none in practice: a row is created with its first message) are left out. */
function toSummaryRows(rows: SummaryDbRow[]): SummaryRow[] {
  return rows
    .filter((row) => row.first_at !== null && row.last_at !== null)
    .map((row) => ({
      id: row.id,
      key: row.conversation_key,
      messageCount: Number(row.message_count),
      firstAt: new Date(row.first_at as Date),
      lastAt: new Date(row.last_at as Date),
      lastText: decodeMessageContent(row.last_content),
      cursorAt: row.cursor_at,
      title: row.title,
      archivedAt: row.archived_at ? new Date(row.archived_at) : null,
    }));
}

function toStoredMessage(row: MessageDbRow): StoredMessage {
  return {
    id: Number(row.id),
    position: Number(row.position),
    role: row.role,
    text: decodeMessageContent(row.content),
    createdAt: new Date(row.created_at),
    status: row.status,
    agent: row.agent_type,
    model: row.model,
    inputTokens: row.token_count_prompt,
    outputTokens: row.token_count_completion,
  };
}

export interface SearchHit {
  key: string;
  text: string;
  total: number;
}

export interface AgentUsageStats {
  totalConversations: number;
  lastUsed: Date | null;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/**
 * Data access for the transcript aggregate (`agent_conversations` + `agent_messages`). Every
 * read and write is filtered by the owner (tenant and user); appends are single statements that
 * lock the conversation row, so concurrent turns get consecutive positions.
 */
@Injectable()
export class ConversationRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Starts a turn in one statement: finds or creates the owner's conversation for `ref` and
   * appends the user message at the next position. The reference primary key is used when it
   * is free; when another owner already holds it (the same custom id elsewhere) a random key is
   * used instead, so ids never collide across owners. A new row also clears any memory left
   * under its session id (a run still writing when its conversation was deleted).
   */
  async startTurn(
    owner: ConversationOwner,
    ref: ConversationRef,
    agent: string,
    message: { text: string; at: Date; runId?: string | null; title?: string | null },
  ): Promise<StartedTurn> {
    try {
      return await this.upsertWithMessage(owner, ref.referenceId, ref.key, agent, message);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return this.upsertWithMessage(owner, randomUUID(), ref.key, agent, message);
    }
  }

  private async upsertWithMessage(
    owner: ConversationOwner,
    id: string,
    key: string,
    agent: string,
    {
      text,
      at,
      runId,
      title,
    }: { text: string; at: Date; runId?: string | null; title?: string | null },
  ): Promise<StartedTurn> {
    const rows: {
      id: string;
      sdk_session_id: string;
      position: number;
      created: boolean;
      message_id: string;
    }[] = await this.db.query(
      `WITH conv AS (
         INSERT INTO agent_conversations
           (id, conversation_key, tenant_id, user_id, agent_entrypoint, sdk_session_id,
            message_count, last_message_at, last_run_id, created_at, updated_at, title)
         VALUES ($1, $2, $3, $4, $5, $8, 1, $6, $9, $6, $6, $10)
         ON CONFLICT (tenant_id, user_id, conversation_key) DO UPDATE
           SET agent_entrypoint = EXCLUDED.agent_entrypoint,
               sdk_session_id = COALESCE(agent_conversations.sdk_session_id, EXCLUDED.sdk_session_id),
               message_count = agent_conversations.message_count + 1,
               last_message_at = EXCLUDED.last_message_at,
               last_run_id = EXCLUDED.last_run_id,
               updated_at = EXCLUDED.updated_at
         RETURNING id, sdk_session_id, message_count - 1 AS position, (xmax = 0) AS created
       ),
       purge AS (
         DELETE FROM sdk_agent_sessions s USING conv
          WHERE conv.created AND s.session_id = conv.sdk_session_id
       ),
       msg AS (
         INSERT INTO agent_messages
           (conversation_id, position, role, content, status, run_id, created_at)
         SELECT conv.id, conv.position, 'user', $7::jsonb, 'completed', $9, $6 FROM conv
         RETURNING id
       )
       SELECT conv.id, conv.sdk_session_id, conv.position, conv.created, msg.id AS message_id
         FROM conv, msg`,
      [
        id,
        key,
        owner.tenantId,
        owner.userId,
        agent,
        at,
        encodeMessageContent(text),
        id,
        runId ?? null,
        // Only a new row takes it (the conflict branch leaves `title` alone): the first message
        // names the conversation, later turns and renames are not overwritten.
        title ?? null,
      ],
    );
    const row = rows[0];
    return {
      id: row.id,
      sessionId: row.sdk_session_id,
      created: Boolean(row.created),
      userMessage: {
        id: Number(row.message_id),
        position: Number(row.position),
        role: 'user',
        text,
        createdAt: at,
        status: 'completed',
        agent: null,
        model: null,
        inputTokens: null,
        outputTokens: null,
      },
    };
  }

  /**
   * Appends one message at the next position and updates the conversation in the same statement:
   * counters, timestamps and token totals are incremented, never overwritten (decision C7). Returns
   * null when the conversation no longer exists (deleted mid-run). `sql` runs it inside a caller's
   * transaction.
   */
  async append(
    conversationId: string,
    message: NewMessage,
    sql: Sql = this.db,
  ): Promise<StoredMessage | null> {
    return (await this.appendOwned(conversationId, message, sql))?.message ?? null;
  }

  /** `append`, also naming the conversation's tenant (for usage metering in the same transaction). */
  async appendOwned(
    conversationId: string,
    message: NewMessage,
    sql: Sql = this.db,
  ): Promise<AppendedMessage | null> {
    const usage = message.usage;
    const rows = await rowsOf<{ id: string; position: number; tenant_id: string }>(
      sql,
      ...named(
        `WITH conv AS (
           UPDATE agent_conversations
              SET message_count = message_count + 1,
                  last_message_at = :at::timestamptz,
                  updated_at = :at::timestamptz,
                  active_agent = COALESCE(:agent::varchar, active_agent),
                  total_tokens_prompt = total_tokens_prompt + :promptTotal::integer,
                  total_tokens_completion = total_tokens_completion + :completionTotal::integer,
                  reasoning_tokens = reasoning_tokens + :reasoningTotal::integer,
                  handoff_count = handoff_count + :handoffs::integer,
                  last_session_sync_at = CASE WHEN :sessionSynced::boolean THEN :at::timestamptz
                                              ELSE last_session_sync_at END,
                  last_run_id = COALESCE(:runId::varchar, last_run_id)
            WHERE id = :conversationId
            RETURNING message_count - 1 AS position, tenant_id
         ),
         msg AS (
           INSERT INTO agent_messages
             (conversation_id, position, role, agent_type, content, token_count_prompt,
              token_count_completion, reasoning_tokens, latency_ms, status, model, run_id, created_at)
           SELECT :conversationId, conv.position, :role, :agent::varchar, :content::jsonb,
                  :promptTokens::integer, :completionTokens::integer, :reasoningTokens::integer,
                  :latencyMs::integer, :status, :model::varchar, :runId::varchar, :at::timestamptz
             FROM conv
           RETURNING id, position
         )
         SELECT msg.id, msg.position, conv.tenant_id FROM msg, conv`,
        {
          conversationId,
          at: message.at,
          agent: message.role === 'assistant' ? (message.agent ?? null) : null,
          promptTotal: usage?.inputTokens ?? 0,
          completionTotal: usage?.outputTokens ?? 0,
          reasoningTotal: usage?.reasoningTokens ?? 0,
          handoffs: message.handoffs ?? 0,
          sessionSynced: message.sessionSynced ?? false,
          role: message.role,
          content: encodeMessageContent(message.text),
          promptTokens: usage ? usage.inputTokens : null,
          completionTokens: usage ? usage.outputTokens : null,
          reasoningTokens: usage ? usage.reasoningTokens : null,
          latencyMs: message.latencyMs ?? null,
          status: message.status ?? 'completed',
          model: message.model ?? null,
          runId: message.runId ?? null,
        },
      ),
    );
    const row = rows[0];
    if (!row) return null;
    return { tenantId: row.tenant_id, message: this.storedOf(row, message) };
  }

  private storedOf(row: { id: string; position: number }, message: NewMessage): StoredMessage {
    const usage = message.usage;
    return {
      id: Number(row.id),
      position: Number(row.position),
      role: message.role,
      text: message.text,
      createdAt: message.at,
      status: message.status ?? 'completed',
      agent: message.role === 'assistant' ? (message.agent ?? null) : null,
      model: message.model ?? null,
      inputTokens: usage ? usage.inputTokens : null,
      outputTokens: usage ? usage.outputTokens : null,
    };
  }

  async findByKey(owner: ConversationOwner, key: string): Promise<ConversationRow | null> {
    const rows: {
      id: string;
      conversation_key: string;
      message_count: number;
      sdk_session_id: string | null;
      title: string | null;
      archived_at: Date | null;
    }[] = await this.db.query(
      `SELECT id, conversation_key, message_count, sdk_session_id, title, archived_at
           FROM agent_conversations
          WHERE tenant_id = $1 AND user_id = $2 AND conversation_key = $3`,
      [owner.tenantId, owner.userId, key],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id,
      key: row.conversation_key,
      messageCount: Number(row.message_count),
      sdkSessionId: row.sdk_session_id,
      title: row.title,
      archivedAt: row.archived_at ? new Date(row.archived_at) : null,
    };
  }

  async messages(conversationId: string): Promise<StoredMessage[]> {
    const rows: MessageDbRow[] = await this.db.query(
      `SELECT ${MESSAGE_COLUMNS}
         FROM agent_messages
        WHERE conversation_id = $1
        ORDER BY position`,
      [conversationId],
    );
    return rows.map(toStoredMessage);
  }

  /**
   * The position of message `messageId` in the conversation, or null when the conversation has
   * no such message (a cursor from another conversation, or made up).
   */
  async messagePosition(conversationId: string, messageId: string): Promise<number | null> {
    const rows: { position: number }[] = await this.db.query(
      `SELECT position FROM agent_messages WHERE conversation_id = $1 AND id = $2::bigint`,
      [conversationId, messageId],
    );
    return rows[0] ? Number(rows[0].position) : null;
  }

  /**
   * The newest `limit` messages before `beforePosition` (all when null), oldest first, plus the
   * conversation's first and last message times: a range scan of the (conversation, position)
   * unique index, newest first, one row more than the page to know whether older ones exist.
   */
  async messagePage(
    conversationId: string,
    limit: number,
    beforePosition: number | null,
  ): Promise<MessagePage> {
    const [rows, bounds] = await Promise.all([
      rowsOf<MessageDbRow>(
        this.db,
        `SELECT ${MESSAGE_COLUMNS}
           FROM agent_messages
          WHERE conversation_id = $1 AND ($2::integer IS NULL OR position < $2::integer)
          ORDER BY position DESC
          LIMIT $3`,
        [conversationId, beforePosition, limit + 1],
      ),
      rowsOf<{ first_at: Date | null; last_at: Date | null }>(
        this.db,
        `SELECT (SELECT created_at FROM agent_messages
                  WHERE conversation_id = $1 ORDER BY position LIMIT 1) AS first_at,
                (SELECT created_at FROM agent_messages
                  WHERE conversation_id = $1 ORDER BY position DESC LIMIT 1) AS last_at`,
        [conversationId],
      ),
    ]);
    const bound = bounds[0];
    return {
      messages: rows.slice(0, limit).reverse().map(toStoredMessage),
      hasOlder: rows.length > limit,
      firstAt: bound?.first_at ? new Date(bound.first_at) : null,
      lastAt: bound?.last_at ? new Date(bound.last_at) : null,
    };
  }

  /**
   * The owner's non-empty conversations, newest last message first, keyset-paginated on
   * (last_message_at, id): one index range scan plus the first and last message of each row.
   * The default (unarchived) list reads the partial index of migration 1764100900000. Filters
   * narrow the same order, so a cursor is valid for any filters; `q` also probes the messages
   * of each candidate (a sequential read of the owner's transcripts; no text index).
   */
  async summaries(
    owner: ConversationOwner,
    filters: SummaryFilters,
    limit: number,
    after?: KeysetCursor,
  ): Promise<SummaryRow[]> {
    const params: Record<string, unknown> = {
      tenantId: owner.tenantId,
      userId: owner.userId,
      limit,
    };
    const where = [
      'c.tenant_id = :tenantId',
      'c.user_id = :userId',
      'c.message_count > 0',
      'c.last_message_at IS NOT NULL',
    ];
    if (!filters.includeArchived) where.push('c.archived_at IS NULL');
    if (filters.agent !== undefined) {
      // The rule of agent statistics (`agentStats`): entry point or last answering agent.
      where.push('(c.agent_entrypoint = :agent OR c.active_agent = :agent)');
      params.agent = filters.agent;
    }
    if (filters.updatedAfter !== undefined) {
      where.push('c.last_message_at > :updatedAfter::timestamptz');
      params.updatedAfter = filters.updatedAfter;
    }
    if (filters.q !== undefined) {
      where.push(
        `(c.title ILIKE :pattern ESCAPE '\\'
          OR EXISTS (SELECT 1 FROM agent_messages m
                      WHERE m.conversation_id = c.id AND m.content->>'text' ILIKE :pattern ESCAPE '\\'))`,
      );
      params.pattern = `%${escapeLike(filters.q)}%`;
    }
    if (after) {
      where.push(
        `(c.last_message_at, c.id) < (:afterAt::timestamp AT TIME ZONE 'UTC', :afterId::uuid)`,
      );
      params.afterAt = after.at;
      params.afterId = after.id;
    }
    const rows = await rowsOf<SummaryDbRow>(
      this.db,
      ...named(
        summarySql(
          'agent_conversations',
          where.join(' AND '),
          'ORDER BY c.last_message_at DESC, c.id DESC LIMIT :limit',
        ),
        params,
      ),
    );
    return toSummaryRows(rows);
  }

  /**
   * Renames, archives or restores the owner's conversation and returns its summary, in one
   * statement; null when the owner has no such conversation (C1). Archiving an archived
   * conversation keeps its first `archived_at`. The list order (last message) does not move.
   */
  async update(
    owner: ConversationOwner,
    key: string,
    changes: ConversationChanges,
  ): Promise<SummaryRow | null> {
    const rows = await rowsOf<SummaryDbRow>(
      this.db,
      ...named(
        `WITH updated AS (
           UPDATE agent_conversations
              SET title = COALESCE(:title::varchar, title),
                  archived_at = CASE
                    WHEN :archived::boolean IS NULL THEN archived_at
                    WHEN :archived::boolean THEN COALESCE(archived_at, now())
                    ELSE NULL
                  END
            WHERE tenant_id = :tenantId AND user_id = :userId AND conversation_key = :key
            RETURNING id, conversation_key, message_count, title, archived_at, last_message_at
         )
         ${summarySql('updated', 'true')}`,
        {
          tenantId: owner.tenantId,
          userId: owner.userId,
          key,
          title: changes.title ?? null,
          archived: changes.archived ?? null,
        },
      ),
    );
    return toSummaryRows(rows)[0] ?? null;
  }

  /**
   * Deletes the owner's conversation (messages cascade) and its SDK memory in one transaction
   * (decision C3; the replaced service left the SDK memory behind). Returns whether a conversation
   * was deleted.
   */
  async delete(owner: ConversationOwner, key: string): Promise<boolean> {
    return this.db.transaction(async (manager) => {
      const [rows]: [{ sdk_session_id: string | null }[], number] = await manager.query(
        `DELETE FROM agent_conversations
          WHERE tenant_id = $1 AND user_id = $2 AND conversation_key = $3
        RETURNING sdk_session_id`,
        [owner.tenantId, owner.userId, key],
      );
      const sessions = rows.map((row) => row.sdk_session_id).filter((id): id is string => !!id);
      for (const sessionId of sessions) {
        await manager.query('DELETE FROM sdk_agent_sessions WHERE session_id = $1', [sessionId]);
      }
      return rows.length > 0;
    });
  }

  /**
   * Case-insensitive substring search over the owner's messages (scoped by decision C1): each
   * conversation contributes its first matching message; newest conversations first.
   */
  async search(owner: ConversationOwner, query: string, limit: number): Promise<SearchHit[]> {
    const rows: { conversation_key: string; text: string; total: string }[] = await this.db.query(
      `WITH hits AS (
         SELECT DISTINCT ON (c.id) c.conversation_key, c.updated_at, m.content->>'text' AS text
           FROM agent_conversations c
           JOIN agent_messages m ON m.conversation_id = c.id
          WHERE c.tenant_id = $1 AND c.user_id = $2
            AND m.content->>'text' ILIKE $3 ESCAPE '\\'
          ORDER BY c.id, m.position
       )
       SELECT conversation_key, text, count(*) OVER () AS total
         FROM hits
        ORDER BY updated_at DESC
        LIMIT $4`,
      [owner.tenantId, owner.userId, `%${escapeLike(query)}%`, limit],
    );
    return rows.map((row) => ({
      key: row.conversation_key,
      text: row.text ?? '',
      total: Number(row.total),
    }));
  }

  /**
   * How often an agent served the owner's conversations (as entry point or last answering agent)
   * and when last. A null user means the whole tenant (service accounts).
   */
  async agentStats(
    scope: { tenantId: string; userId: string | null },
    agent: string,
  ): Promise<AgentUsageStats> {
    const rows: { total: string; last_used: Date | null }[] = await this.db.query(
      `SELECT count(*) AS total, max(last_message_at) AS last_used
         FROM agent_conversations
        WHERE tenant_id = $1 AND ($2::uuid IS NULL OR user_id = $2::uuid)
          AND message_count > 0
          AND (agent_entrypoint = $3 OR active_agent = $3)`,
      [scope.tenantId, scope.userId, agent],
    );
    const row = rows[0];
    return {
      totalConversations: Number(row?.total ?? 0),
      lastUsed: row?.last_used ? new Date(row.last_used) : null,
    };
  }
}
