import type {
  Model,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  StreamEvent,
} from '@openai/agents';

/** Token counts of one model response, by direction. */
export interface ModelTokens {
  input: number;
  output: number;
  cached: number;
  reasoning: number;
}

export type TokenRecorder = (model: string, tokens: ModelTokens) => void;

type DetailList = Record<string, number>[] | Record<string, number> | undefined;

function sumDetail(details: DetailList, key: string): number {
  const list = Array.isArray(details) ? details : details ? [details] : [];
  return list.reduce((total, entry) => total + (Number(entry?.[key]) || 0), 0);
}

interface UsageLike {
  inputTokens?: number;
  outputTokens?: number;
  inputTokensDetails?: DetailList;
  outputTokensDetails?: DetailList;
}

export function tokensOf(usage: UsageLike | undefined): ModelTokens {
  return {
    input: usage?.inputTokens ?? 0,
    output: usage?.outputTokens ?? 0,
    cached: sumDetail(usage?.inputTokensDetails, 'cached_tokens'),
    reasoning: sumDetail(usage?.outputTokensDetails, 'reasoning_tokens'),
  };
}

/**
 * Wraps a model so every response's usage is recorded under the model name that served it
 * (`llm_tokens_total{model,direction}`): after a handoff the specialist's model is counted,
 * not the entry agent's. Stream events pass through untouched.
 */
class MeteredModel implements Model {
  readonly getRetryAdvice?: Model['getRetryAdvice'];

  constructor(
    private readonly inner: Model,
    private readonly name: string,
    private readonly record: TokenRecorder,
  ) {
    if (inner.getRetryAdvice) this.getRetryAdvice = inner.getRetryAdvice.bind(inner);
  }

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    const response = await this.inner.getResponse(request);
    this.record(this.name, tokensOf(response.usage));
    return response;
  }

  async *getStreamedResponse(request: ModelRequest): AsyncIterable<StreamEvent> {
    for await (const event of this.inner.getStreamedResponse(request)) {
      if (event.type === 'response_done') this.record(this.name, tokensOf(event.response.usage));
      yield event;
    }
  }
}

export class MeteredModelProvider implements ModelProvider {
  constructor(
    private readonly inner: ModelProvider,
    private readonly record: TokenRecorder,
    private readonly defaultName: string,
  ) {}

  async getModel(modelName?: string): Promise<Model> {
    const model = await this.inner.getModel(modelName);
    return new MeteredModel(model, modelName ?? this.defaultName, this.record);
  }
}
