import { Agent, MemorySession, Runner, Usage } from '@openai/agents';
import {
  OFFLINE_MODEL_NAME,
  OfflineModel,
  OfflineModelProvider,
  offlineReply,
  splitDeltas,
} from '../../../src/modules/agents/offline/offline-model';
import {
  MeteredModelProvider,
  tokensOf,
  type ModelTokens,
} from '../../../src/modules/agents/metered-model.provider';
import { modelFor } from '../../../src/modules/agents/agent-catalog';
import { loadConfig } from '../../../src/platform/config/load-config';

const request = (input: string | { role: 'user'; content: string }[]) => ({
  input,
  modelSettings: {},
  tools: [],
  handoffs: [],
  outputType: 'text' as const,
  tracing: false as const,
});

describe('offline model (decision P10)', () => {
  it('answers deterministically from the user messages it sees', async () => {
    const model = new OfflineModel('m');
    const first = await model.getResponse(request('hello'));
    const again = await model.getResponse(request('hello'));
    expect(first.output).toEqual(again.output.map((item) => ({ ...item, id: expect.any(String) })));
    expect(offlineReply(request('hello'))).toBe(
      'Offline mode (no OPENAI_API_KEY is configured), so this is a canned reply. You said: "hello".',
    );
    const withHistory = offlineReply(
      request([
        { role: 'user', content: 'one' },
        { role: 'user', content: 'two' },
      ]),
    );
    expect(withHistory).toContain('You said: "two".');
    expect(withHistory).toContain('I remember 1 earlier message from you');
    expect(first.usage.outputTokens).toBeGreaterThan(0);
  });

  it('streams word deltas that join to the full reply, then response_done with usage', async () => {
    const events = [];
    for await (const event of new OfflineModel('m').getStreamedResponse(request('stream me'))) {
      events.push(event);
    }
    expect(events[0]).toEqual({ type: 'response_started' });
    const deltas = events.filter((e) => e.type === 'output_text_delta');
    expect(deltas.length).toBeGreaterThan(5);
    const text = deltas.map((e) => (e.type === 'output_text_delta' ? e.delta : '')).join('');
    expect(text).toBe(offlineReply(request('stream me')));
    const done = events[events.length - 1];
    expect(done.type).toBe('response_done');
    expect(splitDeltas('a b  c')).toEqual(['a', ' b', '  c']);
  });

  it('answers under its own name whatever model an agent asks for', async () => {
    const model = new OfflineModelProvider().getModel();
    let reported: unknown;
    for await (const event of model.getStreamedResponse(request('hi'))) {
      if (event.type === 'response_done') reported = event.response.providerData?.model;
    }
    expect(reported).toBe(OFFLINE_MODEL_NAME);
    expect(OFFLINE_MODEL_NAME).not.toMatch(/gpt/);
  });

  it('runs through the Agents SDK with memory, streamed and not, and honours abort', async () => {
    const runner = new Runner({ modelProvider: new OfflineModelProvider(), tracingDisabled: true });
    const agent = new Agent({ name: 'Offline', instructions: 'x', model: 'any-model' });
    const session = new MemorySession();
    const first = await runner.run(agent, 'first', { session });
    expect(first.finalOutput).toContain('You said: "first"');
    const streamed = await runner.run(agent, 'second', { session, stream: true });
    let text = '';
    for await (const piece of streamed.toTextStream()) text += piece;
    await streamed.completed;
    expect(text).toContain('I remember 1 earlier message');
    expect(streamed.finalOutput).toBe(text);
    expect(streamed.state.usage.outputTokens).toBeGreaterThan(0);

    // Aborting after the first delta stops the stream early.
    const controller = new AbortController();
    const total = splitDeltas(offlineReply(request('abort me'))).length;
    const result = await runner.run(agent, 'abort me', { stream: true, signal: controller.signal });
    let deltas = 0;
    for await (const event of result) {
      if (event.type === 'raw_model_stream_event' && event.data.type === 'output_text_delta') {
        deltas += 1;
        controller.abort();
      }
    }
    await result.completed.catch(() => undefined);
    expect(result.cancelled).toBe(true);
    expect(deltas).toBeGreaterThan(0);
    expect(deltas).toBeLessThan(total);
  });
});

describe('token metering', () => {
  it('sums detail lists and records per model name', async () => {
    const usage = new Usage({
      requests: 1,
      inputTokens: 10,
      outputTokens: 4,
      totalTokens: 14,
      inputTokensDetails: { cached_tokens: 3 },
      outputTokensDetails: { reasoning_tokens: 2 },
    });
    expect(tokensOf(usage)).toEqual({ input: 10, output: 4, cached: 3, reasoning: 2 });

    const seen: [string, ModelTokens][] = [];
    const provider = new MeteredModelProvider(
      new OfflineModelProvider(),
      (model, tokens) => seen.push([model, tokens]),
      'default-model',
    );
    const model = await provider.getModel('gpt-x');
    await model.getResponse(request('hi'));
    for await (const _event of model.getStreamedResponse(request('hi'))) {
      // drain
    }
    expect(seen.map(([name]) => name)).toEqual(['gpt-x', 'gpt-x']);
    expect(seen[0][1].output).toBeGreaterThan(0);
  });

  it('takes per-agent model overrides over the global default', () => {
    const config = loadConfig(
      { ENVIRONMENT: 'test', AGENT_DEFAULT_MODEL: 'base', AGENT_DATA_ANALYST_MODEL: 'stats' },
      { readDotenvFiles: false },
    );
    expect(modelFor('triage', config)).toBe('base');
    expect(modelFor('data_analyst', config)).toBe('stats');
  });
});
