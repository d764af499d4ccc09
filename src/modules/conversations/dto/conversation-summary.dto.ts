import { ApiProperty } from '@nestjs/swagger';
import { ConversationObjectFields } from './conversation-object-fields.dto';

/** Reference `ConversationSummary` (the items of `GET /api/v1/conversations`). */
export class ConversationSummary extends ConversationObjectFields {
  @ApiProperty()
  conversation_id: string;

  @ApiProperty()
  message_count: number;

  @ApiProperty({ description: 'First 120 characters of the newest message' })
  last_message: string;

  @ApiProperty({ format: 'date-time', description: 'Timestamp of the first message' })
  created_at: string;

  @ApiProperty({ format: 'date-time', description: 'Timestamp of the last message' })
  updated_at: string;
}
