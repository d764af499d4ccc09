import { tool } from '@openai/agents';
import { z } from 'zod';
import { MetricsService } from '../../../src/platform/observability/metrics.service';
import { loadConfig } from '../../../src/platform/config/load-config';
import { ToolCatalog } from '../../../src/modules/tools/tool-catalog.service';
import { ToolMetrics } from '../../../src/modules/tools/tool-metrics';
import {
  normaliseMetadata,
  ToolRegistry,
  type ChatTool,
} from '../../../src/modules/tools/tool-registry';
import type { ConversationSearchService } from '../../../src/modules/conversations';

function fakeTool(name: string): ChatTool {
  return tool({
    name,
    description: `${name} tool`,
    parameters: z.object({}),
    execute: () => name,
  }) as ChatTool;
}

const noSearch = { search: async () => [] } as unknown as ConversationSearchService;

function catalog(env: Record<string, string> = {}): ToolCatalog {
  const config = loadConfig({ ENVIRONMENT: 'test', ...env }, { readDotenvFiles: false });
  const metrics = new ToolMetrics(new MetricsService({ defaultMetrics: false }));
  return new ToolCatalog(config, noSearch, metrics);
}

describe('tool registry', () => {
  it('normalises metadata: sorted unique trimmed lists, core defaults to true', () => {
    expect(normaliseMetadata({ agents: ' triage ', capabilities: ['b', 'a', 'b', ' '] })).toEqual({
      core: true,
      agents: ['triage'],
      capabilities: ['a', 'b'],
    });
    expect(normaliseMetadata({ core: false }).core).toBe(false);
  });

  it('selects core tools, tools naming the agent, and tools sharing a capability', () => {
    const registry = new ToolRegistry();
    registry.register(fakeTool('core_tool'));
    registry.register(fakeTool('for_triage'), { metadata: { core: false, agents: 'Triage' } });
    registry.register(fakeTool('for_code'), { metadata: { core: false, capabilities: ['code'] } });
    registry.register(fakeTool('nobody'), { metadata: { core: false } });

    expect(registry.coreTools().map((t) => t.name)).toEqual(['core_tool']);
    expect(registry.toolsFor('triage', ['general']).map((t) => t.name)).toEqual([
      'core_tool',
      'for_triage',
    ]);
    expect(registry.toolsFor(' CODE_ASSISTANT ', ['CODE']).map((t) => t.name)).toEqual([
      'core_tool',
      'for_code',
    ]);
  });

  it('keeps the position of a re-registered name and never hands out unavailable tools', () => {
    const registry = new ToolRegistry();
    registry.register(fakeTool('a'), { category: 'x' });
    registry.register(fakeTool('b'), { category: 'y' });
    registry.register(fakeTool('a'), { category: 'z', available: false });
    expect(registry.names()).toEqual(['a', 'b']);
    expect(registry.categories()).toEqual(['z', 'y']);
    expect(registry.byCategory('z').map((t) => t.name)).toEqual(['a']);
    expect(registry.audienceOf('any', []).map((t) => t.name)).toEqual(['a', 'b']);
    expect(registry.toolsFor('any', []).map((t) => t.name)).toEqual(['b']);
  });

  it('registers the reference tools in order with their categories and audiences', () => {
    const tools = catalog({ TAVILY_API_KEY: 'tvly-x' });
    expect(tools.names()).toEqual([
      'tavily_search_tool',
      'get_current_time',
      'search_conversations',
    ]);
    expect(tools.list().map((t) => t.category)).toEqual(['web_search', 'utility', 'conversation']);
    const names = (key: string, capabilities: string[]) =>
      tools.toolsFor(key, capabilities).map((t) => t.name);
    expect(names('triage', ['general', 'search', 'handoff'])).toEqual([
      'tavily_search_tool',
      'get_current_time',
      'search_conversations',
    ]);
    expect(names('data_analyst', ['analysis', 'search'])).toContain('tavily_search_tool');
    expect(names('code_assistant', ['code', 'search'])).toEqual([
      'get_current_time',
      'search_conversations',
    ]);
  });

  it('lists web search without a key but never gives it to an agent', () => {
    const tools = catalog();
    expect(tools.names()).toContain('tavily_search_tool');
    expect(tools.list()[0]).toMatchObject({ name: 'tavily_search_tool', available: false });
    expect(tools.toolsFor('triage', ['general']).map((t) => t.name)).not.toContain(
      'tavily_search_tool',
    );
  });
});
