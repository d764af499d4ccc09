import { Injectable } from '@nestjs/common';
import { isoOffsetOrNull } from '../../platform/time/iso';
import type { Principal } from '../auth';
import { ConversationSearchService } from '../conversations';
import { describeAgent, isAgentKey } from './agent-catalog';
import { AgentRuntime } from './agent-runtime.service';
import { AgentNotFoundException } from './agents.errors';
import type { AgentStatus } from './dto/agent-status.dto';
import type { AgentSummary } from './dto/agent-summary.dto';
import { isUuid } from '../../platform/ids';

/** `/api/v1/agents`: the catalog, and per-agent usage drawn from the caller's conversations. */
@Injectable()
export class AgentsService {
  constructor(
    private readonly runtime: AgentRuntime,
    private readonly conversations: ConversationSearchService,
  ) {}

  list(): AgentSummary[] {
    return [...this.runtime.definitions()]
      .sort((a, b) => a.key.localeCompare(b.key))
      .map((definition) => ({
        name: definition.key,
        status: 'active' as const,
        description: describeAgent(definition.key),
        display_name: definition.displayName,
        model: this.runtime.model(definition.key),
        tools: this.runtime.toolNames(definition.key),
        handoffs: [...definition.handoffs],
        capabilities: [...definition.capabilities],
      }));
  }

  /**
   * Matching is exact and case-sensitive (reference). Statistics cover the caller's own
   * conversations; a service account sees its tenant's, a tenantless one none.
   */
  async status(principal: Principal, name: string): Promise<AgentStatus> {
    if (!isAgentKey(name)) throw new AgentNotFoundException(name);
    const tenantId = principal.tenantId && isUuid(principal.tenantId) ? principal.tenantId : null;
    const stats = tenantId
      ? await this.conversations.agentStats({ tenantId, userId: principal.userId }, name)
      : { totalConversations: 0, lastUsed: null };
    return {
      name,
      status: 'active',
      last_used: isoOffsetOrNull(stats.lastUsed),
      total_conversations: stats.totalConversations,
    };
  }
}
