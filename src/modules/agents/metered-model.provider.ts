import type {
  Model,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  StreamEvent,
} from '@openai/agents';
import type { Span } from '@opentelemetry/api';
import {
  GenAi,
  inSpan,
  inStreamSpan,
  SpanKind,
  type SpanOptions,
} from '../../platform/observability/tracing';
import { estimateInterruptedCall, reportInterruptedCall } from './interrupted-calls';

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

/** The GenAI client span of one model call: `chat <model>` (OpenTelemetry GenAI conventions). */
function modelSpan(model: string, provider: string): SpanOptions {
  return {
    kind: SpanKind.CLIENT,
    attributes: {
      [GenAi.operationName]: 'chat',
      [GenAi.providerName]: provider,
      [GenAi.system]: provider,
      [GenAi.requestModel]: model,
    },
  };
}

function annotateResponse(span: Span, tokens: ModelTokens, responseId: string | undefined): void {
  span.setAttributes({
    [GenAi.inputTokens]: tokens.input,
    [GenAi.outputTokens]: tokens.output,
    ...(responseId ? { [GenAi.responseId]: responseId } : {}),
  });
}

/**
 * Wraps a model so every response's usage is recorded under the model name that served it
 * (`llm_tokens_total{model,direction}`): after a handoff the specialist's model is counted,
 * not the entry agent's. Each call is a GenAI client span when tracing. Stream events pass
 * through untouched.
 */
class MeteredModel implements Model {
  readonly getRetryAdvice?: Model['getRetryAdvice'];

  constructor(
    private readonly inner: Model,
    private readonly name: string,
    private readonly provider: string,
    private readonly record: TokenRecorder,
  ) {
    if (inner.getRetryAdvice) this.getRetryAdvice = inner.getRetryAdvice.bind(inner);
  }

  getResponse(request: ModelRequest): Promise<ModelResponse> {
    return inSpan(`chat ${this.name}`, modelSpan(this.name, this.provider), async (span) => {
      let response: ModelResponse;
      try {
        response = await this.inner.getResponse(request);
      } catch (error) {
        if (request.signal?.aborted) this.interrupted(request, 0);
        throw error;
      }
      const tokens = tokensOf(response.usage);
      this.record(this.name, tokens);
      annotateResponse(span, tokens, response.responseId);
      return response;
    });
  }

  async *getStreamedResponse(request: ModelRequest): AsyncIterable<StreamEvent> {
    let reported = false;
    let outputChars = 0;
    let failed = false;
    const events = inStreamSpan(
      `chat ${this.name}`,
      modelSpan(this.name, this.provider),
      () => this.inner.getStreamedResponse(request),
      (span, event) => {
        if (event.type === 'output_text_delta') outputChars += event.delta.length;
        if (event.type !== 'response_done') return;
        reported = true;
        const tokens = tokensOf(event.response.usage);
        this.record(this.name, tokens);
        annotateResponse(span, tokens, event.response.id);
      },
    );
    try {
      yield* events;
    } catch (error) {
      // A provider error is not billed; an abort (the run stopped) is.
      failed = !request.signal?.aborted;
      throw error;
    } finally {
      // The consumer stopped early or the call was aborted before the provider's usage event.
      if (!reported && !failed) this.interrupted(request, outputChars);
    }
  }

  /** Counts an interrupted call's estimated tokens, and tells the turn it belongs to. */
  private interrupted(request: ModelRequest, outputChars: number): void {
    const tokens = estimateInterruptedCall(request, outputChars);
    this.record(this.name, tokens);
    reportInterruptedCall(tokens);
  }
}

export class MeteredModelProvider implements ModelProvider {
  /** `provider` names the model vendor in traces (`gen_ai.provider.name`: openai, offline). */
  constructor(
    private readonly inner: ModelProvider,
    private readonly record: TokenRecorder,
    private readonly defaultName: string,
    private readonly provider = 'openai',
  ) {}

  async getModel(modelName?: string): Promise<Model> {
    const model = await this.inner.getModel(modelName);
    return new MeteredModel(model, modelName ?? this.defaultName, this.provider, this.record);
  }
}
