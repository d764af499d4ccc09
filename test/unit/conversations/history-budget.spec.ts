import type { AgentInputItem } from '@openai/agents';
import {
  fromFirstTurn,
  historyBudgetChars,
} from '../../../src/modules/conversations/sessions/history-budget';
import { loadConfig } from '../../../src/platform/config/load-config';

const budgets = (budget: number, perAgent: Record<string, string> = {}) => ({
  CHAT_HISTORY_TOKEN_BUDGET: budget,
  CHAT_HISTORY_TOKEN_BUDGETS: perAgent,
});

describe('history budget', () => {
  it('uses the agent`s own budget, else the default, at four characters a token', () => {
    const config = budgets(100, { code_assistant: '500', data_analyst: '0' });
    expect(historyBudgetChars(config, 'triage')).toBe(400);
    expect(historyBudgetChars(config, 'code_assistant')).toBe(2000);
    expect(historyBudgetChars(config, 'data_analyst')).toBe(0);
    expect(historyBudgetChars(budgets(0), 'triage')).toBe(0);
  });

  it('starts the window at its first user message', () => {
    const result = { type: 'function_call_result', callId: 'c1' } as unknown as AgentInputItem;
    const reply = { type: 'message', role: 'assistant' } as unknown as AgentInputItem;
    const question = { role: 'user', content: 'q' } as AgentInputItem;
    const typed = { type: 'message', role: 'user', content: 'q2' } as AgentInputItem;
    expect(fromFirstTurn([result, reply, question, reply, typed])).toEqual([
      question,
      reply,
      typed,
    ]);
    expect(fromFirstTurn([result, reply])).toEqual([]);
    expect(fromFirstTurn([])).toEqual([]);
  });

  it('refuses a per-agent budget that is not a whole number at boot', () => {
    expect(() =>
      loadConfig({ CHAT_HISTORY_TOKEN_BUDGETS: '{"triage":"lots"}' }, { readDotenvFiles: false }),
    ).toThrow(/CHAT_HISTORY_TOKEN_BUDGETS: the budget of triage must be a whole number/);
  });
});
