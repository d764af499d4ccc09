import { Injectable } from '@nestjs/common';
import type { ConversationOwner } from './conversation-owner';
import {
  ConversationRepository,
  type AgentUsageStats,
  type SearchHit,
} from './conversation.repository';

/** Read-only views other modules need: the search tool (C1-scoped) and agent statistics. */
@Injectable()
export class ConversationSearchService {
  constructor(private readonly conversations: ConversationRepository) {}

  /** The owner's conversations whose messages contain `query` (case-insensitive). */
  async search(owner: ConversationOwner, query: string, limit: number): Promise<SearchHit[]> {
    return this.conversations.search(owner, query, limit);
  }

  /** Usage of one agent within a tenant, narrowed to one user when `userId` is set. */
  async agentStats(
    scope: { tenantId: string; userId: string | null },
    agent: string,
  ): Promise<AgentUsageStats> {
    return this.conversations.agentStats(scope, agent);
  }
}
