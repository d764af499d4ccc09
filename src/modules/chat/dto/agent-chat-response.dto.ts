import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Token usage of one run (additive, decision C7). */
export class ChatUsage {
  @ApiProperty()
  input_tokens: number;

  @ApiProperty()
  output_tokens: number;

  @ApiProperty()
  total_tokens: number;

  @ApiProperty()
  cached_tokens: number;

  @ApiProperty()
  reasoning_tokens: number;

  @ApiProperty({ description: 'Model requests made by the run' })
  requests: number;
}

export class AgentChatMetadata {
  @ApiProperty({ description: 'Model of the agent that answered' })
  model_used: string;

  @ApiProperty({ type: [String], description: 'Every registered tool (reference quirk)' })
  tools_available: string[];

  @ApiPropertyOptional({ type: ChatUsage })
  usage?: ChatUsage;

  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Stored assistant message' })
  message_id?: number | null;

  @ApiPropertyOptional({ description: "This turn's run (also the X-Run-Id header)" })
  run_id?: string;
}

/** Reference `AgentChatResponse` (`POST /api/v1/chat`). */
export class AgentChatResponse {
  @ApiProperty()
  response: string;

  @ApiProperty({ description: 'The request id as sent, or the new conversation id' })
  conversation_id: string;

  @ApiProperty({ description: 'The agent that produced the answer' })
  agent_used: string;

  @ApiProperty()
  handoff_occurred: boolean;

  @ApiProperty({ nullable: true, type: AgentChatMetadata })
  metadata: AgentChatMetadata | null;
}
