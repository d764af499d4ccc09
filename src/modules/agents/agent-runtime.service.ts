import { Injectable } from '@nestjs/common';
import {
  Agent,
  handoff,
  OpenAIProvider,
  Runner,
  setTracingExportApiKey,
  type ModelProvider,
} from '@openai/agents';
import OpenAI from 'openai';
import type { Counter } from 'prom-client';
import { AppConfig } from '../../platform/config/app-config';
import { MetricsService } from '../../platform/observability/metrics.service';
import { ToolCatalog, type ChatRunContext } from '../tools';
import { AGENT_DEFINITIONS, modelFor, type AgentDefinition, type AgentKey } from './agent-catalog';
import { clientContextInstructions } from './client-context-instructions';
import { MeteredModelProvider, type ModelTokens } from './metered-model.provider';
import { OFFLINE_MODEL_NAME, OfflineModelProvider } from './offline/offline-model';

const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export type ChatAgent = Agent<ChatRunContext>;

/**
 * The Agents SDK wiring, built once per app: one `Runner` over an explicit OpenAI client
 * (OPENAI_API_KEY / OPENAI_BASE_URL / OPENAI_API_FLAVOR; never a global default client), or
 * over the offline model when no key is configured (decision P10; production refuses to start
 * without a key). Tracing export stays off unless OPENAI_AGENTS_TRACING. The three catalog
 * agents get their models from config and their tools from the registry.
 */
@Injectable()
export class AgentRuntime {
  readonly runner: Runner;
  readonly maxTurns: number;
  readonly offline: boolean;
  private readonly agents = new Map<AgentKey, ChatAgent>();
  private readonly keysByAgent = new Map<ChatAgent, AgentKey>();
  private readonly models = new Map<AgentKey, string>();
  private readonly tokens: Counter<'model' | 'direction'>;

  constructor(config: AppConfig, tools: ToolCatalog, metrics: MetricsService) {
    this.tokens = metrics.counter({
      name: 'llm_tokens_total',
      help: 'Model tokens by model and direction (input/output/cached/reasoning)',
      labelNames: ['model', 'direction'],
    });
    this.offline = config.usesOfflineModel;
    this.maxTurns = config.AGENT_MAX_TURNS;
    const provider = new MeteredModelProvider(
      this.baseProvider(config),
      (model, counts) => this.recordTokens(model, counts),
      this.offline ? OFFLINE_MODEL_NAME : config.AGENT_DEFAULT_MODEL,
      this.offline ? 'offline' : 'openai',
    );
    const tracing = config.OPENAI_AGENTS_TRACING && !this.offline;
    if (tracing && config.OPENAI_API_KEY) setTracingExportApiKey(config.OPENAI_API_KEY);
    this.runner = new Runner({
      modelProvider: provider,
      tracingDisabled: !tracing,
      traceIncludeSensitiveData: false,
      workflowName: 'Agent Chat',
    });
    this.buildAgents(config, tools);
  }

  agent(key: AgentKey): ChatAgent {
    const agent = this.agents.get(key);
    if (!agent) throw new Error(`Unknown agent ${key}`);
    return agent;
  }

  /** The catalog key of an SDK agent of this runtime (e.g. the one a handoff reached). */
  keyOf(agent: unknown): AgentKey | undefined {
    return this.keysByAgent.get(agent as ChatAgent);
  }

  model(key: AgentKey): string {
    return this.models.get(key) ?? '';
  }

  definitions(): readonly AgentDefinition[] {
    return AGENT_DEFINITIONS;
  }

  /** Tool names an agent really gets here (available tools of its audience). */
  toolNames(key: AgentKey): string[] {
    return this.agent(key).tools.map((tool) => tool.name);
  }

  private baseProvider(config: AppConfig): ModelProvider {
    if (config.usesOfflineModel) return new OfflineModelProvider();
    const openAIClient = new OpenAI({
      apiKey: config.OPENAI_API_KEY,
      baseURL: config.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL,
      timeout: Math.round(config.OPENAI_TIMEOUT_SECONDS * 1000),
    });
    return new OpenAIProvider({
      openAIClient,
      useResponses: config.OPENAI_API_FLAVOR !== 'chat_completions',
    });
  }

  /** Specialists first, so the triage agent can list them as handoffs. */
  private buildAgents(config: AppConfig, tools: ToolCatalog): void {
    const ordered = [...AGENT_DEFINITIONS].sort((a, b) => a.handoffs.length - b.handoffs.length);
    for (const definition of ordered) {
      // Offline, every agent runs on the offline model, and says so (not the configured name).
      const model = this.offline ? OFFLINE_MODEL_NAME : modelFor(definition.key, config);
      const agent = new Agent<ChatRunContext>({
        name: definition.displayName,
        // The request's client context (docs/chat-runs.md) follows the fixed instructions.
        instructions: (run) =>
          definition.instructions + clientContextInstructions(run.context.client),
        handoffDescription: definition.handoffDescription,
        model,
        tools: tools.toolsFor(definition.key, definition.capabilities),
        // Reference tool names: `transfer_to_code_assistant` (the TS SDK would keep the case).
        handoffs: definition.handoffs.map((key) =>
          handoff(this.agent(key), { toolNameOverride: `transfer_to_${key}` }),
        ),
      });
      this.agents.set(definition.key, agent);
      this.keysByAgent.set(agent, definition.key);
      this.models.set(definition.key, model);
    }
  }

  private recordTokens(model: string, counts: ModelTokens): void {
    if (counts.input) this.tokens.inc({ model, direction: 'input' }, counts.input);
    if (counts.output) this.tokens.inc({ model, direction: 'output' }, counts.output);
    if (counts.cached) this.tokens.inc({ model, direction: 'cached' }, counts.cached);
    if (counts.reasoning) this.tokens.inc({ model, direction: 'reasoning' }, counts.reasoning);
  }
}
