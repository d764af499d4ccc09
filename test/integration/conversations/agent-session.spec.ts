import type { AgentInputItem } from '@openai/agents';
import { AgentSessionRepository } from '../../../src/modules/conversations/sessions/agent-session.repository';
import { PostgresAgentSession } from '../../../src/modules/conversations/sessions/postgres-agent-session';
import { startTestApp, type TestApp } from '../../support/test-app';

const user = (text: string): AgentInputItem => ({ role: 'user', content: text });
const assistant = (text: string): AgentInputItem => ({
  type: 'message',
  role: 'assistant',
  status: 'completed',
  content: [{ type: 'output_text', text }],
});

/** The Agents SDK `Session` on Postgres (decision C3). */
describe('PostgresAgentSession', () => {
  let t: TestApp;
  let rows: AgentSessionRepository;
  let counter = 0;
  const newSession = () => {
    counter += 1;
    return new PostgresAgentSession(`session-${Date.now()}-${counter}`, rows);
  };

  beforeAll(async () => {
    t = await startTestApp();
    rows = t.app.get(AgentSessionRepository);
  });

  afterAll(() => t.close());

  it('reads back items in order from a new instance with the same id', async () => {
    const session = newSession();
    const id = await session.getSessionId();
    await session.addItems([user('one'), assistant('two')]);
    await session.addItems([user('three')]);
    const again = new PostgresAgentSession(id, rows);
    expect(await again.getItems()).toEqual([user('one'), assistant('two'), user('three')]);
    expect(await again.getItems(2)).toEqual([assistant('two'), user('three')]);
    expect(await again.getItems(0)).toEqual([]);
    const created: { n: string }[] = await t.dataSource.query(
      'SELECT count(*) AS n FROM sdk_agent_sessions WHERE session_id = $1',
      [id],
    );
    expect(Number(created[0].n)).toBe(1);
  });

  it('with a budget reads only the newest turns that fit, starting at a user message', async () => {
    const session = newSession();
    const id = await session.getSessionId();
    const call: AgentInputItem = {
      type: 'function_call',
      callId: 'call_1',
      name: 'get_current_time',
      arguments: '{}',
      status: 'completed',
    };
    const result: AgentInputItem = {
      type: 'function_call_result',
      callId: 'call_1',
      name: 'get_current_time',
      status: 'completed',
      output: { type: 'text', text: '12:00' },
    };
    const turns = [
      [user('first question '.repeat(5)), assistant('first answer '.repeat(5))],
      [user('what time is it?'), call, result, assistant('noon')],
      [user('last question'), assistant('last answer')],
    ];
    for (const turn of turns) await session.addItems(turn);
    const sizes = turns.flat().map((item) => JSON.stringify(item).length);
    const lastTwoTurns = sizes.slice(2).reduce((a, b) => a + b, 0);

    // Room for the last two turns: the first one is dropped, the tool pair stays whole.
    const fits = new PostgresAgentSession(id, rows, { budgetChars: lastTwoTurns });
    expect(await fits.getItems()).toEqual([...turns[1], ...turns[2]]);
    // One character less cuts into the second turn: its remainder (tool result without its
    // call, the answer without its question) is dropped, not sent.
    const tight = new PostgresAgentSession(id, rows, { budgetChars: lastTwoTurns - 1 });
    expect(await tight.getItems()).toEqual(turns[2]);
    // A budget smaller than the newest item: only that item is read, and a window without a
    // user message is sent empty.
    const tiny = new PostgresAgentSession(id, rows, { budgetChars: 1 });
    expect(await tiny.getItems()).toEqual([]);
    // The SDK's explicit limit and the stored rows are untouched by the budget.
    expect(await tight.getItems(3)).toEqual([assistant('noon'), ...turns[2]]);
    expect(await new PostgresAgentSession(id, rows).getItems()).toEqual(turns.flat());
  });

  it('pops the newest item and clears everything', async () => {
    const session = newSession();
    await session.addItems([user('a'), user('b')]);
    expect(await session.popItem()).toEqual(user('b'));
    expect(await session.getItems()).toEqual([user('a')]);
    await session.clearSession();
    expect(await session.getItems()).toEqual([]);
    expect(await session.popItem()).toBeUndefined();
  });

  it('skips rows that are not JSON objects and translates reference rows', async () => {
    const session = newSession();
    const id = await session.getSessionId();
    await session.addItems([user('valid')]);
    await t.dataSource.query(
      `INSERT INTO sdk_agent_session_messages (session_id, message_data) VALUES
         ($1, 'not json'), ($1, '[1,2]'),
         ($1, '{"call_id":"c1","name":"get_current_time","arguments":"{}","type":"function_call"}'),
         ($1, '{"call_id":"c1","output":"noon","type":"function_call_output"}')`,
      [id],
    );
    expect(await session.getItems()).toEqual([
      user('valid'),
      {
        type: 'function_call',
        callId: 'c1',
        name: 'get_current_time',
        arguments: '{}',
        status: 'completed',
      },
      {
        type: 'function_call_result',
        callId: 'c1',
        name: 'get_current_time',
        status: 'completed',
        output: { type: 'text', text: 'noon' },
      },
    ]);
  });

  it('keeps many items of one add call in order', async () => {
    const session = newSession();
    const items = Array.from({ length: 50 }, (_, i) => user(`item ${i}`));
    await session.addItems(items);
    expect(await session.getItems()).toEqual(items);
  });
});
