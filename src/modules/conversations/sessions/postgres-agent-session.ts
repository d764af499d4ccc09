import type { AgentInputItem, Session } from '@openai/agents';
import type { AgentSessionRepository } from './agent-session.repository';
import { fromFirstTurn } from './history-budget';
import { fromStoredItems } from './reference-items';

function parseItem(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * Conversation memory as an Agents SDK `Session` on Postgres (decision C3): the SDK reads the
 * history before a run and appends the run's items after it. Items are stored as the SDK's own
 * JSON; rows that are not valid JSON objects are skipped, and reference-written items are
 * translated on read.
 */
export class PostgresAgentSession implements Session {
  /** True until the first write when the caller knows the session holds no items yet. */
  private empty: boolean;

  /** Characters of history a read without `limit` returns (0: all); history-budget.ts. */
  private readonly budgetChars: number;

  constructor(
    private readonly sessionId: string,
    private readonly rows: AgentSessionRepository,
    options: { knownEmpty?: boolean; budgetChars?: number } = {},
  ) {
    this.empty = options.knownEmpty ?? false;
    this.budgetChars = options.budgetChars ?? 0;
  }

  async getSessionId(): Promise<string> {
    return this.sessionId;
  }

  /**
   * The history the SDK sends with a turn. Without `limit` it is the newest items within the
   * budget, starting at a user message (the oldest turns are dropped from the model's view; the
   * transcript keeps them); with `limit`, the newest `limit` items as the SDK asks.
   */
  async getItems(limit?: number): Promise<AgentInputItem[]> {
    if (this.empty) return [];
    const budgeted = limit === undefined && this.budgetChars > 0;
    const stored = budgeted
      ? await this.rows.newestWithin(this.sessionId, this.budgetChars)
      : await this.rows.items(this.sessionId, limit);
    const items = fromStoredItems(
      stored.map(parseItem).filter((item): item is Record<string, unknown> => item !== null),
    );
    return budgeted ? fromFirstTurn(items) : items;
  }

  async addItems(items: AgentInputItem[]): Promise<void> {
    this.empty = false;
    await this.rows.append(
      this.sessionId,
      items.map((item) => JSON.stringify(item)),
    );
  }

  async popItem(): Promise<AgentInputItem | undefined> {
    if (this.empty) return undefined;
    const text = await this.rows.pop(this.sessionId);
    if (text === undefined) return undefined;
    const item = parseItem(text);
    return item ? fromStoredItems([item])[0] : undefined;
  }

  async clearSession(): Promise<void> {
    await this.rows.clear(this.sessionId);
  }
}
