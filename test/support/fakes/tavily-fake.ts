import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import {
  flattenHeaders,
  isJsonObject,
  JsonObject,
  parseJson,
  readBody,
  RequestLog,
  sendJson,
  sleep,
  startHttpServer,
} from './http-helpers';

/**
 * Tavily Search API (`POST /search`) on loopback. The API key is read from
 * `Authorization: Bearer tvly-...` or the legacy `api_key` body field. Without scripting, results
 * are derived deterministically from the query, so assertions can name them.
 */

export interface TavilyResult {
  title: string;
  url: string;
  content: string;
  score: number;
  raw_content: string | null;
}

export interface TavilySearchResponse {
  query: string;
  follow_up_questions: string[] | null;
  answer: string | null;
  images: string[];
  results: TavilyResult[];
  response_time: number;
  request_id: string;
}

export interface TavilyFakeRequest {
  seq: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: JsonObject;
  apiKey: string | undefined;
  query: string | undefined;
  status: number | undefined;
  /** The client hung up before the answer was written (e.g. its timeout fired). */
  aborted: boolean;
  receivedAt: number;
}

/**
 * Injected behaviour for one request: `delayMs` alone delays a normal answer (timeout tests);
 * with `status` the answer is that error; `disconnect` drops the socket without answering.
 */
export interface TavilyFakeFailure {
  status?: number;
  body?: unknown;
  delayMs?: number;
  disconnect?: boolean;
}

export type TavilyResponder = (
  request: TavilyFakeRequest,
) => Partial<Omit<TavilySearchResponse, 'request_id'>>;

export interface TavilyFakeOptions {
  /** When set, only this key is accepted; otherwise any non-empty key is. */
  apiKey?: string;
  responder?: TavilyResponder;
  maxRecordedRequests?: number;
}

export interface TavilyFake {
  /** `http://127.0.0.1:<port>` (the API base; search is `${url}/search`). */
  url: string;
  port: number;
  readonly requests: readonly TavilyFakeRequest[];
  lastRequest(): TavilyFakeRequest | undefined;
  /** Applies `failure` to each of the next `count` search requests. */
  failNext(count: number, failure: TavilyFakeFailure): void;
  /** Overrides parts of the next responses, FIFO (before the responder/default). */
  enqueue(...responses: Array<Partial<Omit<TavilySearchResponse, 'request_id'>>>): void;
  setResponder(responder: TavilyResponder | undefined): void;
  waitForRequest(
    predicate: (request: TavilyFakeRequest) => boolean,
    timeoutMs?: number,
  ): Promise<TavilyFakeRequest>;
  reset(): void;
  close(): Promise<void>;
}

/** The deterministic default answer for a query. */
export function defaultTavilyResults(
  query: string,
  maxResults = 5,
  includeRawContent = false,
): TavilyResult[] {
  const slug =
    query
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'query';
  return Array.from({ length: maxResults }, (_, i) => ({
    title: `Result ${i + 1} for ${query}`,
    url: `https://example.com/${slug}/${i + 1}`,
    content: `Snippet ${i + 1} about ${query}.`,
    score: Math.round((0.98 - i * 0.07) * 100) / 100,
    raw_content: includeRawContent ? `Full text ${i + 1} about ${query}.` : null,
  }));
}

export async function startTavilyFake(options: TavilyFakeOptions = {}): Promise<TavilyFake> {
  const log = new RequestLog<TavilyFakeRequest>(options.maxRecordedRequests ?? 1000);
  const failures: TavilyFakeFailure[] = [];
  const queue: Array<Partial<Omit<TavilySearchResponse, 'request_id'>>> = [];
  let responder = options.responder;
  let seq = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const path = (req.url ?? '/').split('?')[0];
    const parsed = parseJson(await readBody(req));
    const body = isJsonObject(parsed.value) ? parsed.value : {};
    const headers = flattenHeaders(req);
    const bearer = headers.authorization?.startsWith('Bearer ')
      ? headers.authorization.slice(7).trim()
      : undefined;
    const apiKey = bearer ?? (typeof body.api_key === 'string' ? body.api_key : undefined);
    seq += 1;
    const record: TavilyFakeRequest = {
      seq,
      method,
      path,
      headers,
      body,
      apiKey,
      query: typeof body.query === 'string' ? body.query : undefined,
      status: undefined,
      aborted: false,
      receivedAt: started,
    };
    log.push(record);
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) {
        record.aborted = true;
        abort.abort();
        log.notify(record);
      }
    });
    const reply = (status: number, payload: unknown): void => {
      record.status = status;
      sendJson(res, status, payload);
      log.notify(record);
    };
    const detail = (status: number, error: string): void => reply(status, { detail: { error } });

    if (method !== 'POST' || path !== '/search') {
      detail(404, 'Not Found');
      return;
    }
    const failure = failures.shift();
    if (failure) {
      if (!(await sleep(failure.delayMs ?? 0, abort.signal))) return;
      if (failure.disconnect) {
        res.destroy();
        return;
      }
      if (failure.status !== undefined) {
        reply(
          failure.status,
          failure.body ?? { detail: { error: `Injected failure (${failure.status}).` } },
        );
        return;
      }
    }
    if (!apiKey || (options.apiKey !== undefined && apiKey !== options.apiKey)) {
      detail(401, 'Unauthorized: missing or invalid API key.');
      return;
    }
    if (parsed.error !== undefined || record.query === undefined || record.query.trim() === '') {
      detail(400, 'Query is missing.');
      return;
    }
    const maxResults = typeof body.max_results === 'number' ? body.max_results : 5;
    if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 20) {
      detail(400, 'max_results must be between 0 and 20.');
      return;
    }
    const includeAnswer =
      body.include_answer === true ||
      body.include_answer === 'basic' ||
      body.include_answer === 'advanced';
    const override = queue.shift() ?? responder?.(record) ?? {};
    const response: TavilySearchResponse = {
      query: record.query,
      follow_up_questions: null,
      answer: includeAnswer ? `Answer about ${record.query}.` : null,
      images: [],
      results: defaultTavilyResults(record.query, maxResults, body.include_raw_content === true),
      response_time: 0,
      ...override,
      request_id: randomUUID(),
    };
    response.response_time = override.response_time ?? Math.round(Date.now() - started) / 1000;
    reply(200, response);
  };

  const server = await startHttpServer(handle);
  return {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port,
    get requests() {
      return log.all();
    },
    lastRequest: () => log.all()[log.all().length - 1],
    failNext: (count, failure) => {
      for (let i = 0; i < count; i += 1) failures.push(failure);
    },
    enqueue: (...responses) => {
      queue.push(...responses);
    },
    setResponder: (next) => {
      responder = next;
    },
    waitForRequest: (predicate, timeoutMs = 5000) =>
      log.waitFor(predicate, timeoutMs, 'a Tavily request'),
    reset: () => {
      failures.length = 0;
      queue.length = 0;
      responder = options.responder;
      log.clear();
    },
    close: () => server.close(),
  };
}
