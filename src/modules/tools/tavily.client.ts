/** One Tavily search request; raw content and images are always off. */
export interface TavilySearchParams {
  query: string;
  maxResults: number;
  searchDepth: 'basic' | 'advanced';
  includeAnswer: boolean;
  topic: 'general' | 'news';
}

export interface TavilyResult {
  title?: string;
  url?: string;
  content?: string;
  score?: number;
}

export interface TavilyResponse {
  answer?: string | null;
  results?: TavilyResult[];
  response_time?: number | string;
}

export class TavilyError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'TavilyError';
  }
}

export interface TavilyClientOptions {
  apiKey: string;
  baseUrl: string;
  timeoutMs: number;
  /** Attempts in total (default 2: one retry). */
  attempts?: number;
  fetchImpl?: typeof fetch;
}

/**
 * Minimal Tavily Search client over `fetch`: bearer auth, a per-attempt timeout, and one retry
 * on timeouts, network errors, 429 and 5xx. Other 4xx answers are final.
 */
export class TavilyClient {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: TavilyClientOptions) {
    this.fetchImpl = options.fetchImpl ?? fetch;
  }

  async search(params: TavilySearchParams, signal?: AbortSignal): Promise<TavilyResponse> {
    const attempts = this.options.attempts ?? 2;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      try {
        return await this.once(params, signal);
      } catch (error) {
        lastError = error;
        if (signal?.aborted || (error instanceof TavilyError && !error.retryable)) throw error;
      }
    }
    throw lastError;
  }

  private async once(params: TavilySearchParams, signal?: AbortSignal): Promise<TavilyResponse> {
    // One controller for the attempt, fired by its timeout or by the run's signal.
    const attempt = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      attempt.abort();
    }, this.options.timeoutMs);
    const onAbort = () => attempt.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.request(params, attempt.signal, () => timedOut, signal);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private async request(
    params: TavilySearchParams,
    combined: AbortSignal,
    timedOut: () => boolean,
    signal?: AbortSignal,
  ): Promise<TavilyResponse> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.options.baseUrl.replace(/\/+$/, '')}/search`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${this.options.apiKey}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          query: params.query,
          max_results: params.maxResults,
          search_depth: params.searchDepth,
          include_answer: params.includeAnswer,
          topic: params.topic,
          include_raw_content: false,
          include_images: false,
        }),
        signal: combined,
      });
    } catch (error) {
      if (timedOut()) throw new TavilyError('request timed out', true);
      if (signal?.aborted) throw error;
      throw new TavilyError('network error', true);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      const retryable = response.status === 429 || response.status >= 500;
      throw new TavilyError(`Tavily returned HTTP ${response.status}`, retryable);
    }
    let payload: unknown;
    try {
      payload = await response.json();
    } catch (error) {
      if (timedOut()) throw new TavilyError('request timed out', true);
      if (signal?.aborted) throw error;
      throw new TavilyError('invalid JSON from Tavily', false);
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new TavilyError('unexpected payload', false);
    }
    return payload;
  }
}
