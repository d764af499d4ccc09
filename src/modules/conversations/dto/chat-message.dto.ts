import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Token usage of one assistant reply (additive field). */
export class MessageUsage {
  @ApiProperty()
  input_tokens: number;

  @ApiProperty()
  output_tokens: number;
}

/**
 * Reference `ChatMessage`: `role`, `content`, `timestamp`. The other fields are additive: message
 * id and position, reply status (`completed` or `incomplete`), the agent and model that answered,
 * and token usage.
 */
export class ChatMessage {
  @ApiProperty({ enum: ['user', 'assistant', 'system'] })
  role: 'user' | 'assistant' | 'system';

  @ApiProperty()
  content: string;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  timestamp: string | null;

  @ApiPropertyOptional()
  id?: number;

  @ApiPropertyOptional()
  position?: number;

  @ApiPropertyOptional({ enum: ['completed', 'incomplete'] })
  status?: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  agent?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  model?: string | null;

  @ApiPropertyOptional({ nullable: true, type: MessageUsage })
  usage?: MessageUsage | null;
}
