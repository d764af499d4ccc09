import type { TestApp } from '../../support/test-app';

export interface MessageRow {
  position: number;
  role: string;
  text: string;
  status: string;
  agent_type: string | null;
  model: string | null;
  token_count_prompt: number | null;
  token_count_completion: number | null;
}

export interface ConversationRow {
  id: string;
  conversation_key: string;
  tenant_id: string;
  user_id: string | null;
  message_count: number;
  total_tokens_prompt: number;
  total_tokens_completion: number;
  active_agent: string | null;
  agent_entrypoint: string;
  sdk_session_id: string | null;
}

/** The rows of one user's conversation, straight from SQL (no repository involved). */
export async function conversationRow(
  t: TestApp,
  userId: string,
  key: string,
): Promise<ConversationRow | undefined> {
  const rows: ConversationRow[] = await t.dataSource.query(
    `SELECT id, conversation_key, tenant_id, user_id, message_count, total_tokens_prompt,
            total_tokens_completion, active_agent, agent_entrypoint, sdk_session_id
       FROM agent_conversations WHERE user_id = $1 AND conversation_key = $2`,
    [userId, key],
  );
  return rows[0];
}

export async function messageRows(t: TestApp, conversationId: string): Promise<MessageRow[]> {
  return t.dataSource.query(
    `SELECT position, role, content->>'text' AS text, status, agent_type, model,
            token_count_prompt, token_count_completion
       FROM agent_messages WHERE conversation_id = $1 ORDER BY position`,
    [conversationId],
  );
}

/** Raw SDK memory items of a session. */
export async function sessionItems(t: TestApp, sessionId: string): Promise<unknown[]> {
  const rows: { message_data: string }[] = await t.dataSource.query(
    `SELECT message_data FROM sdk_agent_session_messages WHERE session_id = $1
      ORDER BY created_at, id`,
    [sessionId],
  );
  return rows.map((row) => JSON.parse(row.message_data) as unknown);
}

export async function waitUntil<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
