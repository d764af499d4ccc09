import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * `agent_conversations`: one row per conversation, owned by a tenant and a user (decision C1).
 * `conversation_key` is unique per owner, not globally (see the migration).
 */
@Entity({ name: 'agent_conversations' })
export class AgentConversationEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'conversation_key', type: 'varchar', length: 255 })
  conversationKey: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ name: 'agent_entrypoint', type: 'varchar', length: 64 })
  agentEntrypoint: string;

  @Column({ name: 'active_agent', type: 'varchar', length: 64, nullable: true })
  activeAgent: string | null;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: string;

  @Column({ name: 'message_count', type: 'integer', default: 0 })
  messageCount: number;

  @Column({ name: 'total_tokens_prompt', type: 'integer', default: 0 })
  totalTokensPrompt: number;

  @Column({ name: 'total_tokens_completion', type: 'integer', default: 0 })
  totalTokensCompletion: number;

  @Column({ name: 'reasoning_tokens', type: 'integer', default: 0 })
  reasoningTokens: number;

  @Column({ name: 'handoff_count', type: 'integer', default: 0 })
  handoffCount: number;

  @Column({ name: 'source_channel', type: 'varchar', length: 32, nullable: true })
  sourceChannel: string | null;

  @Column({ name: 'topic_hint', type: 'varchar', length: 256, nullable: true })
  topicHint: string | null;

  /** Derived from the first user message, or the user's rename (decision C8); null if neither. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  title: string | null;

  /** Set while the conversation is archived (hidden from the default list, decision C8). */
  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt: Date | null;

  @Column({ name: 'last_message_at', type: 'timestamptz', nullable: true })
  lastMessageAt: Date | null;

  @Column({ name: 'last_run_id', type: 'varchar', length: 64, nullable: true })
  lastRunId: string | null;

  @Column({ name: 'client_version', type: 'varchar', length: 32, nullable: true })
  clientVersion: string | null;

  @Column({ name: 'sdk_session_id', type: 'varchar', length: 255, nullable: true })
  sdkSessionId: string | null;

  @Column({ name: 'session_cursor', type: 'varchar', length: 128, nullable: true })
  sessionCursor: string | null;

  @Column({ name: 'last_session_sync_at', type: 'timestamptz', nullable: true })
  lastSessionSyncAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
