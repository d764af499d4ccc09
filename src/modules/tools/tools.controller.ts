import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../auth';
import { ToolOverview } from './dto/tool-overview.dto';
import { ToolCatalog } from './tool-catalog.service';

/**
 * `GET /api/v1/tools`. Static catalog data, so service-account tokens with `tools:read` may read it
 * too.
 */
@ApiTags('api', 'tools')
@Controller('api/v1/tools')
export class ToolsController {
  constructor(private readonly catalog: ToolCatalog) {}

  @Get()
  @RequireScopes('tools:read')
  @ApiOkResponse({ type: ToolOverview })
  listAvailableTools(): ToolOverview {
    const tools = this.catalog.list();
    return {
      total_tools: tools.length,
      tool_names: tools.map((entry) => entry.name),
      categories: [...new Set(tools.map((entry) => entry.category))],
      items: tools.map((entry) => ({
        name: entry.name,
        category: entry.category,
        description: entry.description,
        parameters: entry.tool.parameters,
        core: entry.metadata.core,
        agents: entry.metadata.agents,
        capabilities: entry.metadata.capabilities,
        requires_api_key: entry.metadata.requires_api_key === true,
        available: entry.available,
      })),
    };
  }
}
