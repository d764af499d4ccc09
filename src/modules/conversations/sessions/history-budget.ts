import type { AgentInputItem } from '@openai/agents';
import type { AppConfig } from '../../../platform/config/app-config';

/** Characters per token of the estimate (the same ~4 as an interrupted model call's). */
export const HISTORY_CHARS_PER_TOKEN = 4;

/**
 * How much conversation history an agent's turn sends to the model, in characters of stored
 * items (docs/conversations.md, "Long conversations"): the agent's entry of
 * CHAT_HISTORY_TOKEN_BUDGETS, else CHAT_HISTORY_TOKEN_BUDGET, times the characters per token.
 * 0 means no limit.
 */
export function historyBudgetChars(
  config: Pick<AppConfig, 'CHAT_HISTORY_TOKEN_BUDGET' | 'CHAT_HISTORY_TOKEN_BUDGETS'>,
  agent: string,
): number {
  const own = config.CHAT_HISTORY_TOKEN_BUDGETS[agent];
  const tokens = own === undefined ? config.CHAT_HISTORY_TOKEN_BUDGET : Number(own);
  return tokens * HISTORY_CHARS_PER_TOKEN;
}

function isUserMessage(item: AgentInputItem): boolean {
  const { role, type } = item as { role?: unknown; type?: unknown };
  return role === 'user' && (type === undefined || type === 'message');
}

/**
 * The window of history starting at a turn boundary: items before the window's first user
 * message are dropped, so the model never sees a tool result without its call or a reply
 * without its question (the Responses API refuses an orphan function_call_output).
 */
export function fromFirstTurn(items: AgentInputItem[]): AgentInputItem[] {
  const start = items.findIndex(isUserMessage);
  return start < 0 ? [] : items.slice(start);
}
