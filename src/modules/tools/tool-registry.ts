import type { FunctionTool } from '@openai/agents';
import type { ChatRunContext } from './tool-context';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ChatTool = FunctionTool<ChatRunContext, any, any>;

/** Metadata as given at registration; `agents`/`capabilities` may be one string. */
export interface ToolMetadataInput {
  description?: string;
  core?: boolean;
  agents?: string | string[];
  capabilities?: string | string[];
  requires_api_key?: boolean;
  api_service?: string;
  [key: string]: unknown;
}

/** Normalised metadata: de-duplicated, trimmed, sorted lists and `core` defaulting to true. */
export interface ToolMetadata {
  description?: string;
  core: boolean;
  agents: string[];
  capabilities: string[];
  requires_api_key?: boolean;
  api_service?: string;
  [key: string]: unknown;
}

export interface RegisteredTool {
  name: string;
  description: string;
  category: string;
  metadata: ToolMetadata;
  /** False when the tool cannot run here (e.g. its API key is not configured). */
  available: boolean;
  tool: ChatTool;
}

export interface RegisterOptions {
  category?: string;
  metadata?: ToolMetadataInput;
  available?: boolean;
}

function normaliseList(value: string | string[] | undefined): string[] {
  const items = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return [...new Set(items.map((item) => String(item).trim()).filter(Boolean))].sort();
}

export function normaliseMetadata(input: ToolMetadataInput = {}): ToolMetadata {
  return {
    ...input,
    core: input.core ?? true,
    agents: normaliseList(input.agents),
    capabilities: normaliseList(input.capabilities),
  };
}

/**
 * The tool registry: tools in registration order with a category and metadata. An agent gets a tool
 * when the tool is core, names the agent, or shares one of its capabilities; tools that are not
 * available are never handed to an agent. Re-registering a name replaces the entry but keeps its
 * position.
 */
export class ToolRegistry {
  private readonly tools = new Map<string, RegisteredTool>();

  register(tool: ChatTool, options: RegisterOptions = {}): RegisteredTool {
    const metadata = normaliseMetadata(options.metadata);
    const entry: RegisteredTool = {
      name: tool.name,
      description: metadata.description ?? tool.description,
      category: options.category ?? 'general',
      metadata,
      available: options.available ?? true,
      tool,
    };
    this.tools.set(tool.name, entry);
    return entry;
  }

  list(): RegisteredTool[] {
    return [...this.tools.values()];
  }

  get(name: string): RegisteredTool | undefined {
    return this.tools.get(name);
  }

  names(): string[] {
    return [...this.tools.keys()];
  }

  /** Categories in order of first use. */
  categories(): string[] {
    return [...new Set(this.list().map((entry) => entry.category))];
  }

  byCategory(category: string): RegisteredTool[] {
    return this.list().filter((entry) => entry.category === category);
  }

  coreTools(): RegisteredTool[] {
    return this.list().filter((entry) => entry.metadata.core);
  }

  /** Registered tools an agent may use, in registration order (availability ignored). */
  audienceOf(agentKey: string, capabilities: Iterable<string>): RegisteredTool[] {
    const agent = agentKey.trim().toLowerCase();
    const wanted = new Set([...capabilities].map((c) => c.trim().toLowerCase()));
    return this.list().filter((entry) => {
      if (entry.metadata.core) return true;
      if (entry.metadata.agents.some((a) => a.toLowerCase() === agent)) return true;
      return entry.metadata.capabilities.some((c) => wanted.has(c.toLowerCase()));
    });
  }

  /** The SDK tools to give an agent: its audience, minus tools that cannot run here. */
  toolsFor(agentKey: string, capabilities: Iterable<string>): ChatTool[] {
    return this.audienceOf(agentKey, capabilities)
      .filter((entry) => entry.available)
      .map((entry) => entry.tool);
  }
}
