import { ApiProperty } from '@nestjs/swagger';

/** Reference `ConversationSummary` (the items of `GET /api/v1/conversations`). */
export class ConversationSummary {
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
