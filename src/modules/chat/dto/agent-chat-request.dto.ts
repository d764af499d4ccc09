import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

/**
 * Reference `AgentChatRequest` (`POST /api/v1/chat` and `/stream`). `message` must be
 * 1..CHAT_MAX_MESSAGE_CHARS characters (the upper bound is configurable, so the service checks it).
 * Lengths are capped at the column sizes: a non-UUID `conversation_id` over 255 characters or an
 * `agent_type` over 64 is a 422 instead of the reference's database error.
 */
export class AgentChatRequest {
  @ApiProperty({ minLength: 1, description: 'The user turn' })
  @IsString()
  @MinLength(1)
  message: string;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    maxLength: 255,
    description: 'Absent, null or "" starts a new conversation',
  })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  conversation_id?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    maxLength: 64,
    default: 'triage',
    description: 'triage, code_assistant or data_analyst; unknown values fall back to triage',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  agent_type?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: Object,
    description:
      'Client facts for the run (locale, page...): scalar entries reach the agent as data; at most CHAT_CONTEXT_MAX_BYTES of JSON (docs/chat-runs.md)',
  })
  @IsOptional()
  @IsObject()
  context?: Record<string, unknown> | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    minLength: 1,
    maxLength: 128,
    pattern: '^[\\x20-\\x7e]+$',
    description:
      'Idempotency key of this send (or the Idempotency-Key header): a retry with the same key ' +
      'replays the first answer instead of running the model again (docs/chat-idempotency.md)',
  })
  @IsOptional()
  @IsString()
  client_message_id?: string | null;
}
