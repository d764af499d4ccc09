import {
  Usage,
  type AgentInputItem,
  type Model,
  type ModelProvider,
  type ModelRequest,
  type ModelResponse,
  type StreamEvent,
} from '@openai/agents';
import { randomUUID } from 'node:crypto';

/** ~4 characters a token: deterministic and close enough for usage bookkeeping. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

function partText(part: unknown): string {
  if (typeof part === 'string') return part;
  if (typeof part === 'object' && part !== null && 'text' in part) {
    const text = part.text;
    return typeof text === 'string' ? text : '';
  }
  return '';
}

function itemText(item: AgentInputItem): string {
  if (!('content' in item)) return '';
  const content: unknown = item.content;
  if (typeof content === 'string') return content;
  return Array.isArray(content) ? content.map(partText).join('') : '';
}

function userTexts(input: ModelRequest['input']): string[] {
  if (typeof input === 'string') return [input];
  return input
    .filter((item) => 'role' in item && item.role === 'user')
    .map((item) => itemText(item));
}

function inputChars(request: ModelRequest): number {
  const items = typeof request.input === 'string' ? [request.input] : request.input.map(itemText);
  return (request.systemInstructions ?? '').length + items.join('').length;
}

/** The reply text: deterministic in the conversation it sees. */
export function offlineReply(request: ModelRequest): string {
  const texts = userTexts(request.input);
  const last = texts[texts.length - 1] ?? '';
  const earlier = texts.length - 1;
  const memory =
    earlier > 0
      ? ` I remember ${earlier} earlier message${earlier === 1 ? '' : 's'} from you in this conversation.`
      : '';
  return `Offline mode (no OPENAI_API_KEY is configured), so this is a canned reply. You said: "${last}".${memory}`;
}

/** Word-sized pieces with their leading whitespace, like real token deltas. */
export function splitDeltas(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [text];
}

function abortError(): Error {
  const error = new Error('The offline model request was aborted.');
  error.name = 'AbortError';
  return error;
}

/**
 * The offline deterministic model (decision P10): used when no OPENAI_API_KEY is configured
 * outside production, so chat, streaming and memory work on embedded defaults. It never calls
 * tools; it answers every request with a canned text derived from the user's messages.
 */
export class OfflineModel implements Model {
  constructor(private readonly modelName: string) {}

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    if (request.signal?.aborted) throw abortError();
    const text = offlineReply(request);
    return {
      responseId: `offline_${randomUUID()}`,
      usage: this.usage(request, text),
      output: [this.message(text)],
    };
  }

  async *getStreamedResponse(request: ModelRequest): AsyncIterable<StreamEvent> {
    if (request.signal?.aborted) throw abortError();
    const text = offlineReply(request);
    const itemId = `msg_offline_${randomUUID()}`;
    yield { type: 'response_started' };
    for (const delta of splitDeltas(text)) {
      if (request.signal?.aborted) throw abortError();
      yield { type: 'output_text_delta', itemId, delta };
    }
    const usage = this.usage(request, text);
    yield {
      type: 'response_done',
      response: {
        id: `offline_${randomUUID()}`,
        usage: {
          requests: 1,
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
          totalTokens: usage.totalTokens,
        },
        output: [this.message(text, itemId)],
        providerData: { model: this.modelName, offline: true },
      },
    };
  }

  private usage(request: ModelRequest, text: string): Usage {
    const inputTokens = Math.max(1, Math.ceil(inputChars(request) / 4));
    const outputTokens = Math.max(1, estimateTokens(text));
    return new Usage({
      requests: 1,
      inputTokens,
      outputTokens,
      totalTokens: inputTokens + outputTokens,
    });
  }

  private message(text: string, id = `msg_offline_${randomUUID()}`) {
    return {
      id,
      type: 'message' as const,
      role: 'assistant' as const,
      status: 'completed' as const,
      content: [{ type: 'output_text' as const, text }],
    };
  }
}

/** The name the offline model answers under (chat `model_used`, agents `model`, token metrics). */
export const OFFLINE_MODEL_NAME = 'offline-deterministic';

/** Hands out the offline model for any requested name; it always reports its own name. */
export class OfflineModelProvider implements ModelProvider {
  getModel(): Model {
    return new OfflineModel(OFFLINE_MODEL_NAME);
  }
}
