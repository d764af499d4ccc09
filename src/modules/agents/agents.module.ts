import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations';
import { ToolsModule } from '../tools';
import { AgentRuntime } from './agent-runtime.service';
import { AgentsController } from './agents.controller';
import { AgentsService } from './agents.service';

/** Agents: the catalog, the SDK runtime (Runner, models, offline model) and `/api/v1/agents`. */
@Module({
  imports: [ToolsModule, ConversationsModule],
  controllers: [AgentsController],
  providers: [AgentRuntime, AgentsService],
  exports: [AgentRuntime],
})
export class AgentsModule {}
