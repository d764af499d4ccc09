import type { AgentInputItem, Session } from '@openai/agents';

/**
 * Memory of a conversation whose row is still being written: a brand-new conversation has no
 * history, so the run can start at once (reads answer empty without waiting) while every
 * write waits for the conversation to exist and then goes to its real session. This keeps
 * the first-turn database round trip off the time to first token.
 */
export class GatedAgentSession implements Session {
  constructor(
    private readonly sessionId: string,
    private readonly ready: Promise<Session>,
  ) {
    // The turn's owner handles a failed start; an unobserved rejection here would crash.
    ready.catch(() => undefined);
  }

  async getSessionId(): Promise<string> {
    return this.sessionId;
  }

  async getItems(): Promise<AgentInputItem[]> {
    return [];
  }

  async addItems(items: AgentInputItem[]): Promise<void> {
    await (await this.ready).addItems(items);
  }

  async popItem(): Promise<AgentInputItem | undefined> {
    return (await this.ready).popItem();
  }

  async clearSession(): Promise<void> {
    await (await this.ready).clearSession();
  }
}
