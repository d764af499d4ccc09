import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes, type Principal } from '../auth';
import { AgentsService } from './agents.service';
import { AgentStatus } from './dto/agent-status.dto';
import { AgentSummary } from './dto/agent-summary.dto';

/**
 * `GET /api/v1/agents` and `.../:agent_name/status`. Catalog reads, so service-account tokens with
 * `tools:read` may call them too.
 */
@ApiTags('api', 'agents')
@Controller('api/v1/agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Get()
  @RequireScopes('tools:read')
  @ApiOkResponse({ type: [AgentSummary] })
  listAvailableAgents(): AgentSummary[] {
    return this.agents.list();
  }

  @Get(':agent_name/status')
  @RequireScopes('tools:read')
  @ApiOkResponse({ type: AgentStatus })
  @ApiResponse({ status: 404, description: "Agent '<agent_name>' not found" })
  async getAgentStatus(
    @CurrentPrincipal() principal: Principal,
    @Param('agent_name') agentName: string,
  ): Promise<AgentStatus> {
    return this.agents.status(principal, agentName);
  }
}
