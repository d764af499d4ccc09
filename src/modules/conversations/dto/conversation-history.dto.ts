import { ApiProperty } from '@nestjs/swagger';
import { ConversationObjectFields } from './conversation-object-fields.dto';
import { ChatMessage } from './chat-message.dto';

/** Reference `ConversationHistory` (`GET /api/v1/conversations/:conversation_id`). */
export class ConversationHistory extends ConversationObjectFields {
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
}
