import { createTestUser, type TestUser } from '../../support/auth-fixtures';
import { conversationOf, startOpenAIFake, type OpenAIFake } from '../../support/fakes';
import { startTestApp, type TestApp } from '../../support/test-app';

const BUDGET_TOKENS = 250;
const TURNS = 40;

/**
 * A conversation far longer than its history budget (docs/conversations.md, "Long
 * conversations"): every turn's model request carries only the newest turns that fit, starting
 * at a user message, so the 40th turn costs what the 10th does, while the transcript the user
 * reads keeps every message.
 */
describe('long conversations stay within the history budget', () => {
  let t: TestApp;
  let fake: OpenAIFake;
  let user: TestUser;

  beforeAll(async () => {
    fake = await startOpenAIFake();
    t = await startTestApp({
      env: {
        OPENAI_API_KEY: 'sk-chat-test',
        OPENAI_BASE_URL: fake.baseURL,
        CHAT_RATE_LIMIT_PER_MINUTE: '0',
        CHAT_HISTORY_TOKEN_BUDGET: String(BUDGET_TOKENS),
        // The data analyst keeps a longer memory.
        CHAT_HISTORY_TOKEN_BUDGETS: JSON.stringify({ data_analyst: String(BUDGET_TOKENS * 4) }),
      },
    });
    user = await createTestUser(t, { role: 'owner' });
  });

  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  const question = (i: number) =>
    `Question number ${i}: ${'please remember this detail. '.repeat(3)}`;
  const answer = (i: number) =>
    `Answer number ${i}: ${'here is a reasonably long reply. '.repeat(3)}`;

  async function converse(
    agent: string,
  ): Promise<{ id: string; sizes: number[]; firsts: string[] }> {
    let id: string | undefined;
    const sizes: number[] = [];
    const firsts: string[] = [];
    for (let i = 1; i <= TURNS; i += 1) {
      fake.enqueueText(answer(i));
      const response = await t.http
        .post('/api/v1/chat')
        .set('Authorization', user.authorization)
        .send({ message: question(i), conversation_id: id, agent_type: agent })
        .expect(200);
      id = response.body.conversation_id as string;
      const request = fake.modelRequests().at(-1)!;
      const history = conversationOf(request).filter((m) => m.role !== 'system');
      // The turn's own question is last; what precedes it is the history that was sent.
      expect(history.at(-1)).toEqual({ role: 'user', text: question(i) });
      sizes.push(history.slice(0, -1).reduce((sum, m) => sum + m.text.length, 0));
      firsts.push(history[0].text);
    }
    return { id: id!, sizes, firsts };
  }

  it('sends only the newest turns within the budget and keeps the whole transcript', async () => {
    const { id, sizes, firsts } = await converse('triage');
    const budgetChars = BUDGET_TOKENS * 4;
    // Early turns send everything; once past the budget the history stops growing.
    expect(sizes[1]).toBeGreaterThan(0);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(budgetChars);
    expect(sizes[TURNS - 1]).toBeLessThanOrEqual(sizes[9] + answer(10).length);
    // The window always starts at a question, never in the middle of a turn.
    for (const first of firsts) expect(first).toMatch(/^Question number \d+/);
    expect(firsts[TURNS - 1]).not.toBe(question(1));

    const transcript = await t.http
      .get(`/api/v1/conversations/${id}`)
      .set('Authorization', user.authorization)
      .expect(200);
    const messages = transcript.body.messages as { role: string; content: string }[];
    expect(messages).toHaveLength(2 * TURNS);
    expect(messages[0].content).toBe(question(1));
    expect(messages.at(-1)!.content).toBe(answer(TURNS));
  });

  it('applies an agent`s own budget from CHAT_HISTORY_TOKEN_BUDGETS', async () => {
    const { sizes } = await converse('data_analyst');
    const triageMax = BUDGET_TOKENS * 4;
    expect(Math.max(...sizes)).toBeGreaterThan(triageMax);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(BUDGET_TOKENS * 4 * 4);
  });
});
