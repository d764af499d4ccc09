import type { AppConfig } from '../../platform/config/app-config';
import {
  CODE_ASSISTANT_INSTRUCTIONS,
  DATA_ANALYST_INSTRUCTIONS,
  TRIAGE_INSTRUCTIONS,
} from './agent-instructions';

export type AgentKey = 'triage' | 'code_assistant' | 'data_analyst';

export const DEFAULT_AGENT: AgentKey = 'triage';

/** One agent of the catalog. */
export interface AgentDefinition {
  key: AgentKey;
  /** The SDK agent name (its handoff tool is `transfer_to_<snake_case name>`). */
  displayName: string;
  instructions: string;
  /** Shown to the agent that may hand off to this one. */
  handoffDescription?: string;
  /** Capability tags used to select tools (see `ToolRegistry`). */
  capabilities: string[];
  /** Keys of the agents this one can hand off to. */
  handoffs: AgentKey[];
}

export const AGENT_DEFINITIONS: readonly AgentDefinition[] = [
  {
    key: 'triage',
    displayName: 'Triage Assistant',
    instructions: TRIAGE_INSTRUCTIONS,
    capabilities: ['general', 'search', 'handoff'],
    handoffs: ['code_assistant', 'data_analyst'],
  },
  {
    key: 'code_assistant',
    displayName: 'Code Assistant',
    instructions: CODE_ASSISTANT_INSTRUCTIONS,
    handoffDescription: 'Software engineering questions and code reviews.',
    capabilities: ['code', 'search'],
    handoffs: [],
  },
  {
    key: 'data_analyst',
    displayName: 'Data Analyst',
    instructions: DATA_ANALYST_INSTRUCTIONS,
    handoffDescription: 'Analytical and quantitative questions.',
    capabilities: ['analysis', 'search'],
    handoffs: [],
  },
];

export const AGENT_KEYS: readonly AgentKey[] = AGENT_DEFINITIONS.map((d) => d.key);

export function isAgentKey(value: string): value is AgentKey {
  return (AGENT_KEYS as readonly string[]).includes(value);
}

/** The model of an agent: its per-agent override, else the global default. */
export function modelFor(key: AgentKey, config: AppConfig): string {
  const override: Record<AgentKey, string | undefined> = {
    triage: config.AGENT_TRIAGE_MODEL,
    code_assistant: config.AGENT_CODE_ASSISTANT_MODEL,
    data_analyst: config.AGENT_DATA_ANALYST_MODEL,
  };
  return override[key]?.trim() || config.AGENT_DEFAULT_MODEL;
}

/** The reference's agent description: `Agent specialised for <key with spaces> tasks.` */
export function describeAgent(key: string): string {
  return `Agent specialised for ${key.replace(/_/g, ' ')} tasks.`;
}
