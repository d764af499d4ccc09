import { ApiProperty } from '@nestjs/swagger';

/** Reference `AgentSummary` (`GET /api/v1/agents`) plus additive catalog fields. */
export class AgentSummary {
  @ApiProperty()
  name: string;

  @ApiProperty({ enum: ['active', 'inactive', 'error'] })
  status: 'active' | 'inactive' | 'error';

  @ApiProperty({ nullable: true, type: String })
  description: string | null;

  @ApiProperty()
  display_name: string;

  @ApiProperty()
  model: string;

  @ApiProperty({ type: [String], description: 'Tools this agent can call here' })
  tools: string[];

  @ApiProperty({ type: [String], description: 'Agents it can hand off to' })
  handoffs: string[];

  @ApiProperty({ type: [String] })
  capabilities: string[];
}
