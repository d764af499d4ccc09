import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * `agent_messages`: the visible transcript, one row per user or assistant turn. `status` and
 * `model` are additive: an assistant reply cut short by a disconnect or a failure is `incomplete`
 * (decision C2).
 */
@Entity({ name: 'agent_messages' })
export class AgentMessageEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'conversation_id', type: 'uuid' })
  conversationId: string;

  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'varchar', length: 16 })
  role: string;

  @Column({ name: 'agent_type', type: 'varchar', length: 64, nullable: true })
  agentType: string | null;

  @Column({ type: 'jsonb' })
  content: unknown;

  @Column({ name: 'tool_name', type: 'varchar', length: 128, nullable: true })
  toolName: string | null;

  @Column({ name: 'tool_call_id', type: 'varchar', length: 64, nullable: true })
  toolCallId: string | null;

  @Column({ name: 'token_count_prompt', type: 'integer', nullable: true })
  tokenCountPrompt: number | null;

  @Column({ name: 'token_count_completion', type: 'integer', nullable: true })
  tokenCountCompletion: number | null;

  @Column({ name: 'reasoning_tokens', type: 'integer', nullable: true })
  reasoningTokens: number | null;

  @Column({ name: 'latency_ms', type: 'integer', nullable: true })
  latencyMs: number | null;

  @Column({ name: 'content_checksum', type: 'varchar', length: 32, nullable: true })
  contentChecksum: string | null;

  @Column({ name: 'run_id', type: 'varchar', length: 64, nullable: true })
  runId: string | null;

  @Column({ type: 'varchar', length: 16, default: 'completed' })
  status: string;

  @Column({ type: 'varchar', length: 128, nullable: true })
  model: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
