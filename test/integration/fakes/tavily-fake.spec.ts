import { startTavilyFake, TavilyFake, TavilySearchResponse } from '../../support/fakes';

describe('Tavily fake over plain fetch', () => {
  let tavily: TavilyFake;

  const search = async (
    body: Record<string, unknown>,
    init: { key?: string; signal?: AbortSignal } = {},
  ): Promise<{ status: number; json: unknown }> => {
    const response = await fetch(`${tavily.url}/search`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(init.key === undefined ? {} : { Authorization: `Bearer ${init.key}` }),
      },
      body: JSON.stringify(body),
      signal: init.signal,
    });
    return { status: response.status, json: await response.json() };
  };

  beforeAll(async () => {
    tavily = await startTavilyFake({ apiKey: 'tvly-test' });
  });
  afterEach(() => tavily.reset());
  afterAll(() => tavily.close());

  it('answers a search with a Tavily-shaped body and records the request', async () => {
    const { status, json } = await search(
      {
        query: 'nestjs sse',
        max_results: 3,
        search_depth: 'advanced',
        include_answer: true,
        topic: 'general',
      },
      { key: 'tvly-test' },
    );
    expect(status).toBe(200);
    const body = json as TavilySearchResponse;
    expect(body.query).toBe('nestjs sse');
    expect(body.answer).toBe('Answer about nestjs sse.');
    expect(body.results).toHaveLength(3);
    expect(body.results[0]).toEqual({
      title: 'Result 1 for nestjs sse',
      url: 'https://example.com/nestjs-sse/1',
      content: 'Snippet 1 about nestjs sse.',
      score: 0.98,
      raw_content: null,
    });
    expect(typeof body.response_time).toBe('number');
    expect(tavily.lastRequest()).toMatchObject({
      apiKey: 'tvly-test',
      query: 'nestjs sse',
      body: { search_depth: 'advanced', topic: 'general' },
      status: 200,
    });
  });

  it('accepts the legacy api_key body field and rejects bad keys and empty queries', async () => {
    expect((await search({ api_key: 'tvly-test', query: 'q' })).status).toBe(200);
    expect(await search({ query: 'q' }, { key: 'tvly-wrong' })).toEqual({
      status: 401,
      json: { detail: { error: 'Unauthorized: missing or invalid API key.' } },
    });
    expect((await search({ query: '' }, { key: 'tvly-test' })).status).toBe(400);
  });

  it('injects errors, delays and scripted results', async () => {
    tavily.failNext(1, { status: 429 });
    expect((await search({ query: 'q' }, { key: 'tvly-test' })).status).toBe(429);

    tavily.failNext(1, { delayMs: 500 });
    const aborted = search(
      { query: 'slow' },
      { key: 'tvly-test', signal: AbortSignal.timeout(50) },
    );
    await expect(aborted).rejects.toThrow();
    await expect(tavily.waitForRequest((r) => r.aborted, 1000)).resolves.toMatchObject({
      query: 'slow',
    });

    tavily.enqueue({
      results: [{ title: 'T', url: 'https://x.test', content: 'C', score: 0.5, raw_content: null }],
    });
    const scripted = await search({ query: 'q' }, { key: 'tvly-test' });
    expect((scripted.json as TavilySearchResponse).results.map((r) => r.url)).toEqual([
      'https://x.test',
    ]);
  });
});
