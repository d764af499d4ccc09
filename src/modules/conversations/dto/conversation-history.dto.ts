import { ApiProperty } from '@nestjs/swagger';
import { ChatMessage } from './chat-message.dto';

/** Reference `ConversationHistory` (`GET /api/v1/conversations/:conversation_id`). */
export class ConversationHistory {
  @ApiProperty({ description: 'The path parameter, echoed as given' })
  conversation_id: string;

  @ApiProperty({ type: [ChatMessage] })
  messages: ChatMessage[];

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  @ApiProperty({ nullable: true, type: Object, description: 'Always null (reference quirk)' })
  agent_context: Record<string, unknown> | null;

  @ApiProperty({
    nullable: true,
    type: String,
    description: "Derived from the first user message, or the user's rename (additive field)",
  })
  title: string | null;

  @ApiProperty({ description: 'Whether the conversation is archived (additive field)' })
  archived: boolean;

  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'When it was archived; null when not archived (additive field)',
  })
  archived_at: string | null;
}
