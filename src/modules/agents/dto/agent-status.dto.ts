import { ApiProperty } from '@nestjs/swagger';

/**
 * Reference `AgentStatus` (E7). `last_used` and `total_conversations` are computed from the
 * caller's own conversations (spec 11.3; the reference returned null and 0).
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
