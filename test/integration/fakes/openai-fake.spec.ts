import { Agent, AgentInputItem, OpenAIProvider, Runner, tool } from '@openai/agents';
import OpenAI from 'openai';
import { z } from 'zod';
import {
  lastUserText,
  OpenAIFake,
  startOpenAIFake,
  toolOutputsOf,
  userTextsOf,
} from '../../support/fakes';

describe('OpenAI fake driven by the real SDKs', () => {
  let fake: OpenAIFake;
  let client: OpenAI;

  beforeAll(async () => {
    fake = await startOpenAIFake();
    client = new OpenAI({ apiKey: 'sk-test-key', baseURL: fake.baseURL, maxRetries: 0 });
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  describe('openai SDK, Responses API', () => {
    it('answers non-streamed requests with output_text and usage', async () => {
      fake.enqueueText('Hello there, friend.', { usage: { input_tokens: 12, output_tokens: 5 } });
      const response = await client.responses.create({ model: 'gpt-4.1-mini', input: 'Say hi' });

      expect(response.output_text).toBe('Hello there, friend.');
      expect(response.status).toBe('completed');
      expect(response.usage).toMatchObject({
        input_tokens: 12,
        output_tokens: 5,
        total_tokens: 17,
      });
      const recorded = fake.lastRequest();
      expect(recorded).toMatchObject({
        api: 'responses',
        path: '/v1/responses',
        stream: false,
        model: 'gpt-4.1-mini',
      });
      expect(recorded?.headers.authorization).toBe('Bearer sk-test-key');
      expect(recorded && lastUserText(recorded)).toBe('Say hi');
    });

    it('streams the real event sequence with increasing sequence numbers', async () => {
      fake.enqueueText('one two three');
      const stream = await client.responses.create({
        model: 'gpt-4.1-mini',
        input: 'count',
        stream: true,
      });
      const types: string[] = [];
      const sequence: number[] = [];
      let text = '';
      let usage: OpenAI.Responses.ResponseUsage | null | undefined;
      for await (const event of stream) {
        types.push(event.type);
        sequence.push(event.sequence_number);
        if (event.type === 'response.output_text.delta') text += event.delta;
        if (event.type === 'response.completed') usage = event.response.usage;
      }

      expect(types).toEqual([
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.content_part.added',
        'response.output_text.delta',
        'response.output_text.delta',
        'response.output_text.delta',
        'response.output_text.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.completed',
      ]);
      expect(sequence).toEqual(sequence.map((_, i) => i));
      expect(text).toBe('one two three');
      expect(usage?.total_tokens).toBe((usage?.input_tokens ?? 0) + (usage?.output_tokens ?? 0));
      expect(usage?.output_tokens).toBeGreaterThan(0);
    });

    it('passes the strict responses.stream() accumulator for text and tool calls', async () => {
      fake.enqueueText('accumulated text', { chunkSize: 3 });
      const textStream = client.responses.stream({ model: 'gpt-4.1-mini', input: 'x' });
      const final = await textStream.finalResponse();
      expect(final.output_text).toBe('accumulated text');

      fake.enqueue({
        type: 'tool_calls',
        calls: [
          { name: 'lookup', arguments: { q: 'a' }, callId: 'call_a' },
          { name: 'lookup', arguments: '{"q":"b"}', callId: 'call_b' },
        ],
      });
      const toolStream = client.responses.stream({ model: 'gpt-4.1-mini', input: 'y' });
      const withTools = await toolStream.finalResponse();
      const calls = withTools.output.filter((item) => item.type === 'function_call');
      expect(calls.map((c) => [c.call_id, c.name, JSON.parse(c.arguments)])).toEqual([
        ['call_a', 'lookup', { q: 'a' }],
        ['call_b', 'lookup', { q: 'b' }],
      ]);
    });

    it('returns scripted HTTP errors as OpenAI API errors', async () => {
      fake.enqueueError(429, { shouldRetry: false });
      await expect(client.responses.create({ model: 'm', input: 'x' })).rejects.toMatchObject({
        status: 429,
        code: 'rate_limit_exceeded',
      });
      await expect(client.responses.create({ model: 'm', input: 'x' })).resolves.toMatchObject({
        output_text: 'Echo: x',
      });
    });

    it('lets the SDK retry a 500 onto the next turn', async () => {
      const retrying = new OpenAI({ apiKey: 'k', baseURL: fake.baseURL, maxRetries: 1 });
      fake.enqueueError(500, { headers: { 'retry-after-ms': '10' } });
      fake.enqueueText('after retry');
      const response = await retrying.responses.create({ model: 'm', input: 'x' });
      expect(response.output_text).toBe('after retry');
      expect(fake.modelRequests().map((r) => r.status)).toEqual([500, 200]);
    });

    it('records a client disconnect mid-stream as an abort', async () => {
      fake.enqueueText('a b c d e f g h i j', { chunkDelayMs: 50 });
      const controller = new AbortController();
      const stream = await client.responses.create(
        { model: 'm', input: 'slow', stream: true },
        { signal: controller.signal },
      );
      const consume = (async (): Promise<void> => {
        for await (const event of stream) {
          if (event.type === 'response.output_text.delta') controller.abort();
        }
      })();
      await consume.catch(() => undefined);
      const aborted = await fake.waitForAbort(2000);
      expect(aborted.outcome).toBe('aborted');
      expect(aborted.chunksSent).toBeLessThan(10);
      expect(fake.stats.inFlight).toBe(0);
    });
  });

  it('serves 500 concurrent streams', async () => {
    // A gate holds every reply until all 500 requests are open, so concurrency is proven
    // independently of machine speed.
    let arrived = 0;
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const busy = await startOpenAIFake({
      chunkDelayMs: 5,
      maxRecordedRequests: 100,
      responder: async (request) => {
        arrived += 1;
        if (arrived === 500) openGate();
        await gate;
        return `Echo: ${lastUserText(request)}`;
      },
    });
    try {
      const sdk = new OpenAI({ apiKey: 'k', baseURL: busy.baseURL, maxRetries: 0 });
      const one = async (i: number): Promise<string> => {
        const stream = await sdk.responses.create({ model: 'm', input: `n${i}`, stream: true });
        let text = '';
        for await (const event of stream)
          if (event.type === 'response.output_text.delta') text += event.delta;
        return text;
      };
      const texts = await Promise.all(Array.from({ length: 500 }, (_, i) => one(i)));
      expect(texts[0]).toBe('Echo: n0');
      expect(texts[499]).toBe('Echo: n499');
      expect(busy.stats).toMatchObject({ total: 500, completed: 500, inFlight: 0 });
      expect(busy.stats.maxInFlight).toBe(500);
      expect(busy.requests).toHaveLength(100);
    } finally {
      await busy.close();
    }
  });

  describe('openai SDK, Chat Completions', () => {
    it('answers non-streamed requests with message and usage', async () => {
      fake.enqueueText('chat reply', { usage: { input_tokens: 3, output_tokens: 2 } });
      const completion = await client.chat.completions.create({
        model: 'gpt-4.1-mini',
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: 'hello chat' },
        ],
      });
      expect(completion.object).toBe('chat.completion');
      expect(completion.choices[0].message).toMatchObject({
        role: 'assistant',
        content: 'chat reply',
      });
      expect(completion.choices[0].finish_reason).toBe('stop');
      expect(completion.usage).toMatchObject({
        prompt_tokens: 3,
        completion_tokens: 2,
        total_tokens: 5,
      });
      const recorded = fake.lastRequest();
      expect(recorded?.api).toBe('chat.completions');
      expect(recorded && lastUserText(recorded)).toBe('hello chat');
    });

    it('streams chunks and a final usage chunk when include_usage is set', async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4.1-mini',
        messages: [{ role: 'user', content: [{ type: 'text', text: 'ping' }] }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      const finishReasons: Array<string | null> = [];
      let usage: OpenAI.CompletionUsage | null | undefined;
      let last: OpenAI.Chat.ChatCompletionChunk | undefined;
      for await (const chunk of stream) {
        last = chunk;
        for (const choice of chunk.choices) {
          text += choice.delta.content ?? '';
          finishReasons.push(choice.finish_reason);
        }
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toBe('Echo: ping');
      expect(finishReasons[finishReasons.length - 1]).toBe('stop');
      expect(last?.choices).toEqual([]);
      expect(usage?.total_tokens).toBe(
        (usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0),
      );
    });

    it('omits usage without include_usage and passes the chat.completions.stream() accumulator', async () => {
      const plain = await client.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'no usage' }],
        stream: true,
      });
      for await (const chunk of plain) expect(chunk.usage).toBeUndefined();

      fake.enqueueToolCall('get_weather', { city: 'Oslo' }, 'call_w');
      const runner = client.chat.completions.stream({
        model: 'm',
        messages: [{ role: 'user', content: 'weather?' }],
      });
      const completion = await runner.finalChatCompletion();
      expect(completion.choices[0].finish_reason).toBe('tool_calls');
      expect(completion.choices[0].message.tool_calls).toEqual([
        {
          id: 'call_w',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
        },
      ]);
    });
  });

  describe.each([
    ['Responses', true],
    ['Chat Completions', false],
  ])('@openai/agents over %s', (_label, useResponses) => {
    let runner: Runner;
    const expectedApi = useResponses ? 'responses' : 'chat.completions';

    beforeAll(() => {
      const openAIClient = new OpenAI({
        apiKey: 'sk-agents',
        baseURL: fake.baseURL,
        maxRetries: 0,
      });
      runner = new Runner({
        modelProvider: new OpenAIProvider({ openAIClient, useResponses }),
        tracingDisabled: true,
      });
    });

    it('runs an agent without streaming and reports usage', async () => {
      fake.enqueueText('Bonjour!', { usage: { input_tokens: 11, output_tokens: 7 } });
      const agent = new Agent({ name: 'Greeter', instructions: 'Greet in French.' });
      const result = await runner.run(agent, 'Say hello');

      expect(result.finalOutput).toBe('Bonjour!');
      expect(result.state.usage).toMatchObject({
        requests: 1,
        inputTokens: 11,
        outputTokens: 7,
        totalTokens: 18,
      });
      const recorded = fake.lastRequest();
      expect(recorded?.api).toBe(expectedApi);
      expect(recorded?.stream).toBe(false);
      expect(recorded?.headers.authorization).toBe('Bearer sk-agents');
      expect(recorded && lastUserText(recorded)).toBe('Say hello');
    });

    it('streams text through toTextStream() and usage into result.state', async () => {
      fake.enqueueText('streamed words arrive in order', {
        usage: { input_tokens: 4, output_tokens: 6 },
      });
      const agent = new Agent({ name: 'Streamer', instructions: 'Stream.' });
      const result = await runner.run(agent, 'stream please', { stream: true });
      let text = '';
      for await (const piece of result.toTextStream()) text += piece;
      await result.completed;

      expect(text).toBe('streamed words arrive in order');
      expect(result.finalOutput).toBe('streamed words arrive in order');
      expect(result.state.usage).toMatchObject({
        inputTokens: 4,
        outputTokens: 6,
        totalTokens: 10,
      });
      expect(fake.lastRequest()?.stream).toBe(true);
    });

    it.each([false, true])(
      'executes a scripted tool call and answers (stream=%s)',
      async (stream) => {
        const calls: string[] = [];
        const getWeather = tool({
          name: 'get_weather',
          description: 'Weather for a city',
          parameters: z.object({ city: z.string() }),
          execute: async ({ city }) => {
            calls.push(city);
            return `sunny in ${city}`;
          },
        });
        const agent = new Agent({
          name: 'Weather',
          instructions: 'Use tools.',
          tools: [getWeather],
        });
        fake.enqueueToolCall('get_weather', { city: 'Paris' }, 'call_paris');
        fake.enqueueText('It is sunny in Paris.');

        let finalOutput: unknown;
        let requests: number;
        if (stream) {
          const result = await runner.run(agent, 'Weather in Paris?', { stream: true });
          await result.completed;
          finalOutput = result.finalOutput;
          requests = result.state.usage.requests;
        } else {
          const result = await runner.run(agent, 'Weather in Paris?');
          finalOutput = result.finalOutput;
          requests = result.state.usage.requests;
        }

        expect(calls).toEqual(['Paris']);
        expect(finalOutput).toBe('It is sunny in Paris.');
        expect(requests).toBe(2);
        const [first, second] = fake.modelRequests();
        const tools = first.body.tools;
        expect(JSON.stringify(tools)).toContain('get_weather');
        expect(toolOutputsOf(second)).toEqual([{ callId: 'call_paris', output: 'sunny in Paris' }]);
      },
    );

    it('sends earlier turns as context on the next run', async () => {
      const agent = new Agent({ name: 'Memory', instructions: 'Remember.' });
      fake.enqueueText('Nice to meet you, Ada.');
      const first = await runner.run(agent, 'My name is Ada.');
      const history: AgentInputItem[] = [
        ...first.history,
        { role: 'user', content: 'What is my name?' },
      ];
      const second = await runner.run(agent, history);

      expect(second.finalOutput).toBe('Echo: What is my name?');
      const recorded = fake.lastRequest();
      expect(recorded && userTextsOf(recorded)).toEqual(['My name is Ada.', 'What is my name?']);
      expect(JSON.stringify(recorded?.body)).toContain('Nice to meet you, Ada.');
    });

    it('aborts the upstream stream when the run signal fires', async () => {
      fake.enqueueText('this reply is slow and will be cut off', { chunkDelayMs: 100 });
      const controller = new AbortController();
      const agent = new Agent({ name: 'Slow', instructions: 'Slow.' });
      const result = await runner.run(agent, 'go', { stream: true, signal: controller.signal });
      const consumed = (async (): Promise<void> => {
        for await (const piece of result.toTextStream()) {
          if (piece.length > 0) controller.abort();
        }
      })();
      await consumed.catch(() => undefined);
      await result.completed.catch(() => undefined);
      const aborted = await fake.waitForAbort(2000);
      expect(aborted.api).toBe(expectedApi);
      expect(aborted.chunksSent).toBeLessThan(9);
    });
  });
});
