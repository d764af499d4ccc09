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
    const opened = await repo.open(owner(alice), mapConversationId('busy'), 'triage', new Date());
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
    expect(stored.map((m) => m!.position).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
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
      message_count: 20,
      total_tokens_prompt: 200,
      total_tokens_completion: 40,
      reasoning_tokens: 20,
      handoff_count: 20,
    });
  });

  it('opens the same row again for its owner and a separate row for another owner', async () => {
    const ref = mapConversationId('same-name');
    const first = await repo.open(owner(alice), ref, 'triage', new Date());
    const again = await repo.open(owner(alice), ref, 'code_assistant', new Date());
    const other = await repo.open(owner(bob), ref, 'triage', new Date());
    expect(first).toMatchObject({ id: ref.referenceId, created: true });
    expect(again).toMatchObject({ id: first.id, sessionId: first.sessionId, created: false });
    expect(other.created).toBe(true);
    expect(other.id).not.toBe(first.id);
    expect(other.sessionId).not.toBe(first.sessionId);
    expect(await repo.findByKey(owner(bob), 'same-name')).toMatchObject({ id: other.id });
  });

  it('returns null when appending to a deleted conversation', async () => {
    const opened = await repo.open(owner(alice), mapConversationId('gone'), 'triage', new Date());
    expect(await repo.delete(owner(bob), 'gone')).toBe(false);
    expect(await repo.delete(owner(alice), 'gone')).toBe(true);
    expect(await repo.append(opened.id, { role: 'user', text: 'late', at: new Date() })).toBeNull();
  });

  it('searches only the owner’s messages, treating LIKE wildcards literally', async () => {
    const mine = await repo.open(owner(alice), mapConversationId('search-a'), 'triage', new Date());
    await repo.append(mine.id, { role: 'user', text: 'budget is 100% approved', at: new Date() });
    const theirs = await repo.open(owner(bob), mapConversationId('search-b'), 'triage', new Date());
    await repo.append(theirs.id, { role: 'user', text: 'budget is 100% approved', at: new Date() });

    const hits = await repo.search(owner(alice), '100%', 5);
    expect(hits).toEqual([{ key: 'search-a', text: 'budget is 100% approved', total: 1 }]);
    expect(await repo.search(owner(alice), '1_0', 5)).toEqual([]);
    expect(await repo.search(owner(alice), 'BUDGET', 5)).toHaveLength(1);
  });
});
