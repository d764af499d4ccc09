import { ApiProperty } from '@nestjs/swagger';

/**
 * The fields a conversation has as an object (decision C8: title, archive state), shared by the
 * list items and the history so both describe them identically.
 */
export abstract class ConversationObjectFields {
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
