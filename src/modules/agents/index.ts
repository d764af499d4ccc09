/** The agents module's public surface. */
export { AgentsModule } from './agents.module';
export { AgentRuntime, type ChatAgent } from './agent-runtime.service';
export {
  AGENT_KEYS,
  DEFAULT_AGENT,
  isAgentKey,
  type AgentDefinition,
  type AgentKey,
} from './agent-catalog';
export { tokensOf, type ModelTokens } from './metered-model.provider';
export { onInterruptedModelCalls } from './interrupted-calls';
