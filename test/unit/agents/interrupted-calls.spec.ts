import type { ModelRequest } from '@openai/agents';
import {
  estimateInterruptedCall,
  onInterruptedModelCalls,
  reportInterruptedCall,
} from '../../../src/modules/agents/interrupted-calls';
import type { ModelTokens } from '../../../src/modules/agents';

const tokens = (input: number, output: number): ModelTokens => ({
  input,
  output,
  cached: 0,
  reasoning: 0,
});

describe('interrupted model calls', () => {
  it('estimates ~4 characters a token over instructions, input, tools and the streamed text', () => {
    const request = {
      systemInstructions: 'x'.repeat(40),
      input: 'y'.repeat(37),
      tools: [],
      handoffs: [],
    } as unknown as ModelRequest;
    // 40 + 37 + "[]" + "[]" = 81 characters -> 21 tokens; 9 streamed characters -> 3 tokens.
    expect(estimateInterruptedCall(request, 9)).toEqual(tokens(21, 3));
    expect(estimateInterruptedCall({ input: [] } as unknown as ModelRequest, 0)).toEqual(
      tokens(1, 0),
    );
  });

  it('reports a call to the turn it runs in, across awaits, and nowhere outside one', async () => {
    const first: ModelTokens[] = [];
    const second: ModelTokens[] = [];
    reportInterruptedCall(tokens(1, 1));
    await Promise.all([
      onInterruptedModelCalls(
        (t) => first.push(t),
        async () => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          reportInterruptedCall(tokens(2, 0));
        },
      ),
      onInterruptedModelCalls(
        (t) => second.push(t),
        async () => {
          await Promise.resolve();
          reportInterruptedCall(tokens(3, 4));
        },
      ),
    ]);
    expect(first).toEqual([tokens(2, 0)]);
    expect(second).toEqual([tokens(3, 4)]);
  });
});
