import { ApiProperty } from '@nestjs/swagger';

/**
 * Reference `AgentStatus` (`GET /api/v1/agents/:agent_name/status`). `last_used` and
 * `total_conversations` are computed from the caller's own conversations (the reference returned
 * null and 0).
 */
export class AgentStatus {
  @ApiProperty()
  name: string;

  @ApiProperty({ enum: ['active', 'inactive', 'error'] })
  status: 'active' | 'inactive' | 'error';

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  last_used: string | null;

  @ApiProperty()
  total_conversations: number;
}
