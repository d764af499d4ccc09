import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations';
import { ToolCatalog } from './tool-catalog.service';
import { ToolMetrics } from './tool-metrics';
import { ToolsController } from './tools.controller';

/**
 * Tools: the registry, its three tools and `GET /api/v1/tools`. Agents take their tools from
 * `ToolCatalog`.
 */
@Module({
  imports: [ConversationsModule],
  controllers: [ToolsController],
  providers: [ToolMetrics, ToolCatalog],
  exports: [ToolCatalog],
})
export class ToolsModule {}
