import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { ConversationSearchService } from '../conversations';
import { TavilyClient } from './tavily.client';
import { ToolMetrics } from './tool-metrics';
import { ToolRegistry, type ChatTool, type RegisteredTool } from './tool-registry';
import { currentTimeTool, CURRENT_TIME_TOOL } from './tools/current-time.tool';
import {
  searchConversationsTool,
  SEARCH_CONVERSATIONS_TOOL,
} from './tools/search-conversations.tool';
import { webSearchTool, WEB_SEARCH_TOOL } from './tools/web-search.tool';

/**
 * The application's tools, registered in the reference order (web search first, then the two
 * built-ins) with the reference categories and metadata. Web search is always listed but only
 * available, and so only handed to agents, with TAVILY_API_KEY.
 */
@Injectable()
export class ToolCatalog {
  readonly registry = new ToolRegistry();

  constructor(config: AppConfig, search: ConversationSearchService, metrics: ToolMetrics) {
    const tavily = config.TAVILY_API_KEY
      ? new TavilyClient({
          apiKey: config.TAVILY_API_KEY,
          baseUrl: config.TAVILY_BASE_URL,
          timeoutMs: Math.round(config.TAVILY_TIMEOUT_SECONDS * 1000),
        })
      : null;
    this.registry.register(webSearchTool(tavily, metrics), {
      category: 'web_search',
      available: tavily !== null,
      metadata: {
        description: 'Search the web for current information with Tavily.',
        requires_api_key: true,
        api_service: 'tavily',
        core: false,
        agents: ['triage', 'data_analyst'],
        capabilities: ['web_search'],
      },
    });
    this.registry.register(currentTimeTool(metrics), {
      category: 'utility',
      metadata: {
        description: 'Get the current date and time in UTC.',
        core: true,
        capabilities: ['general'],
      },
    });
    this.registry.register(searchConversationsTool(search, metrics), {
      category: 'conversation',
      metadata: {
        description: "Search the current user's previous conversations.",
        core: true,
        capabilities: ['conversation', 'search'],
      },
    });
  }

  /** Every registered tool name in registry order (`metadata.tools_available` of a chat reply). */
  names(): string[] {
    return this.registry.names();
  }

  list(): RegisteredTool[] {
    return this.registry.list();
  }

  toolsFor(agentKey: string, capabilities: Iterable<string>): ChatTool[] {
    return this.registry.toolsFor(agentKey, capabilities);
  }
}

export const TOOL_NAMES = {
  currentTime: CURRENT_TIME_TOOL,
  searchConversations: SEARCH_CONVERSATIONS_TOOL,
  webSearch: WEB_SEARCH_TOOL,
} as const;
