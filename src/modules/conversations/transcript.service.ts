import { Injectable } from '@nestjs/common';
import type { Session } from '@openai/agents';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../platform/config/app-config';
import { mapConversationId } from './conversation-id';
import { deriveConversationTitle } from './conversation-title';
import type { ConversationOwner } from './conversation-owner';
import {
  ConversationRepository,
  type NewMessage,
  type StoredMessage,
} from './conversation.repository';
import { AgentSessionRepository } from './sessions/agent-session.repository';
import { GatedAgentSession } from './sessions/gated-agent-session';
import { historyBudgetChars } from './sessions/history-budget';
import { PostgresAgentSession } from './sessions/postgres-agent-session';
import { TurnUsageRecorderRegistry } from './turn-usage.port';

export interface OpenTurn {
  /** Primary key of the conversation row. */
  conversationId: string;
  /** The conversation's memory, handed to the SDK run. */
  session: Session;
  userMessage: StoredMessage;
}

/**
 * What chat persists per turn (decision C2): the user message before the run, the assistant reply
 * (completed or incomplete, with usage) after it. The same two calls serve streamed and plain
 * turns, so both persist identically.
 */
@Injectable()
export class TranscriptService {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly sessions: AgentSessionRepository,
    private readonly usageRecorders: TurnUsageRecorderRegistry,
    private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  /**
   * Opens (or creates) the caller's conversation for a client id and stores the user message.
   * Ids are per owner: another user's conversation with the same id is never touched (C1).
   */
  async begin(
    owner: ConversationOwner,
    publicId: string,
    agent: string,
    message: { text: string; at: Date; runId?: string },
  ): Promise<OpenTurn> {
    // The title is only stored when this turn creates the conversation (decision C8).
    const started = await this.conversations.startTurn(owner, mapConversationId(publicId), agent, {
      ...message,
      title: deriveConversationTitle(message.text),
    });
    return {
      conversationId: started.id,
      // A conversation created just now has no memory yet: skip reading it once.
      session: new PostgresAgentSession(started.sessionId, this.sessions, {
        knownEmpty: started.created,
        budgetChars: historyBudgetChars(this.config, agent),
      }),
      userMessage: started.userMessage,
    };
  }

  /**
   * Starts a turn of a conversation the server just named (no client id): the memory session is
   * usable at once while the rows are written, so the model call need not wait for Postgres.
   * The caller must await `turn` before storing the reply, and stop the run if it rejects.
   */
  beginFresh(
    owner: ConversationOwner,
    publicId: string,
    agent: string,
    message: { text: string; at: Date; runId?: string },
  ): { session: Session; turn: Promise<OpenTurn> } {
    const turn = this.begin(owner, publicId, agent, message);
    const sessionId = mapConversationId(publicId).referenceId;
    return {
      session: new GatedAgentSession(
        sessionId,
        turn.then((open) => open.session),
      ),
      turn,
    };
  }

  /**
   * Stores the assistant reply; null when the conversation was deleted meanwhile. When a usage
   * recorder is registered (billing on) and the reply carries usage, the message and its usage
   * row are written in one transaction, so neither exists without the other; otherwise the
   * message is one statement, as before. Completed and incomplete replies are both recorded.
   */
  async finish(
    conversationId: string,
    reply: Omit<NewMessage, 'role'>,
  ): Promise<StoredMessage | null> {
    const message: NewMessage = { ...reply, role: 'assistant' };
    const recorder = this.usageRecorders.current;
    const usage = message.usage;
    if (!recorder || !usage) return this.conversations.append(conversationId, message);
    return this.db.transaction(async (manager) => {
      const appended = await this.conversations.appendOwned(conversationId, message, manager);
      if (!appended) return null;
      await recorder.record(manager, {
        tenantId: appended.tenantId,
        messageId: appended.message.id,
        occurredAt: message.at,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        reasoningTokens: usage.reasoningTokens,
        model: message.model ?? null,
      });
      return appended.message;
    });
  }
}
