import { lastUserText, startOpenAIFake, type OpenAIFake } from '../../test/support/fakes';

/** Prompt prefix that makes the fake stream slowly (many chunks with a delay), to hold streams open. */
export const SLOW_PROMPT_PREFIX = 'slow:';

/**
 * The OpenAI fake in its own process for benchmarks: immediate word-sized deltas by default, or
 * 25 chunks 20 ms apart (~0.5 s per reply) when the prompt starts with `slow:`.
 */
export async function startBenchOpenAIFake(): Promise<OpenAIFake> {
  return startOpenAIFake({
    maxRecordedRequests: 10,
    responder: (request) => {
      if (lastUserText(request).startsWith(SLOW_PROMPT_PREFIX)) {
        return { type: 'text', text: 'chunk '.repeat(25).trim(), chunkSize: 6, chunkDelayMs: 20 };
      }
      return { type: 'text', text: 'The quick brown fox jumps over the lazy dog.' };
    },
  });
}
