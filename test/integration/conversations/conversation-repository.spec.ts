import { ConversationRepository } from '../../../src/modules/conversations/conversation.repository';
import { mapConversationId } from '../../../src/modules/conversations/conversation-id';
import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';

/** The transcript repository on the real database: ownership, positions, totals, search. */
describe('ConversationRepository', () => {
  let t: TestApp;
  let repo: ConversationRepository;
  let alice: TestUser;
  let bob: TestUser;
  const owner = (u: TestUser) => ({ tenantId: u.tenantId, userId: u.userId });

  beforeAll(async () => {
    t = await startTestApp();
    repo = t.app.get(ConversationRepository);
    alice = await createTestUser(t);
    bob = await createTestUser(t);
  });

  afterAll(() => t.close());

  it('gives concurrent appends consecutive positions and accumulates totals', async () => {
    const opened = await repo.startTurn(owner(alice), mapConversationId('busy'), 'triage', {
      text: 'go',
      at: new Date(),
    });
    const appends = Array.from({ length: 20 }, (_, i) =>
      repo.append(opened.id, {
        role: 'assistant',
        text: `reply ${i}`,
        at: new Date(),
        usage: { inputTokens: 10, outputTokens: 2, reasoningTokens: 1 },
        handoffs: 1,
      }),
    );
    const stored = await Promise.all(appends);
    expect(opened.userMessage.position).toBe(0);
    expect(stored.map((m) => m!.position).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    const [row]: {
      message_count: number;
      total_tokens_prompt: number;
      total_tokens_completion: number;
      reasoning_tokens: number;
      handoff_count: number;
    }[] = await t.dataSource.query(
      `SELECT message_count, total_tokens_prompt, total_tokens_completion, reasoning_tokens, handoff_count
         FROM agent_conversations WHERE id = $1`,
      [opened.id],
    );
    expect(row).toEqual({
      message_count: 21,
      total_tokens_prompt: 200,
      total_tokens_completion: 40,
      reasoning_tokens: 20,
      handoff_count: 20,
    });
  });

  it('reuses the owner’s row for the same id and gives another owner a separate row', async () => {
    const ref = mapConversationId('same-name');
    const first = await repo.startTurn(owner(alice), ref, 'triage', {
      text: 'one',
      at: new Date(),
    });
    const again = await repo.startTurn(owner(alice), ref, 'code_assistant', {
      text: 'two',
      at: new Date(),
    });
    const other = await repo.startTurn(owner(bob), ref, 'triage', {
      text: 'three',
      at: new Date(),
    });
    expect(first).toMatchObject({ id: ref.referenceId, created: true });
    expect(again).toMatchObject({ id: first.id, sessionId: first.sessionId, created: false });
    expect(again.userMessage.position).toBe(1);
    expect(other.userMessage.position).toBe(0);
    expect(other.created).toBe(true);
    expect(other.id).not.toBe(first.id);
    expect(other.sessionId).not.toBe(first.sessionId);
    expect(await repo.findByKey(owner(bob), 'same-name')).toMatchObject({ id: other.id });
  });

  it('returns null when appending to a deleted conversation', async () => {
    const opened = await repo.startTurn(owner(alice), mapConversationId('gone'), 'triage', {
      text: 'bye',
      at: new Date(),
    });
    expect(await repo.delete(owner(bob), 'gone')).toBe(false);
    expect(await repo.delete(owner(alice), 'gone')).toBe(true);
    expect(await repo.append(opened.id, { role: 'user', text: 'late', at: new Date() })).toBeNull();
  });

  it('searches only the owner’s messages, treating LIKE wildcards literally', async () => {
    const text = 'budget is 100% approved';
    await repo.startTurn(owner(alice), mapConversationId('search-a'), 'triage', {
      text: text,
      at: new Date(),
    });
    await repo.startTurn(owner(bob), mapConversationId('search-b'), 'triage', {
      text: text,
      at: new Date(),
    });

    const hits = await repo.search(owner(alice), '100%', 5);
    expect(hits).toEqual([{ key: 'search-a', text, total: 1 }]);
    expect(await repo.search(owner(alice), '1_0', 5)).toEqual([]);
    expect(await repo.search(owner(alice), 'BUDGET', 5)).toHaveLength(1);
  });

  it('clears memory left under the session id of a newly created conversation', async () => {
    const ref = mapConversationId('recreated');
    const first = await repo.startTurn(owner(alice), ref, 'triage', {
      text: 'hello',
      at: new Date(),
    });
    await repo.delete(owner(alice), 'recreated');
    // A run that was still writing recreated the memory after the delete.
    await t.dataSource.query('INSERT INTO sdk_agent_sessions (session_id) VALUES ($1)', [
      first.sessionId,
    ]);
    await t.dataSource.query(
      `INSERT INTO sdk_agent_session_messages (session_id, message_data) VALUES ($1, '{}')`,
      [first.sessionId],
    );
    const again = await repo.startTurn(owner(alice), ref, 'triage', {
      text: 'hello again',
      at: new Date(),
    });
    expect(again).toMatchObject({ created: true, sessionId: first.sessionId });
    const left: { n: string }[] = await t.dataSource.query(
      'SELECT count(*) AS n FROM sdk_agent_session_messages WHERE session_id = $1',
      [first.sessionId],
    );
    expect(Number(left[0].n)).toBe(0);
  });
});
