import { IncomingMessage, ServerResponse } from 'node:http';
import {
  describeError,
  flattenHeaders,
  isJsonObject,
  JsonObject,
  JsonValue,
  makeId,
  parseJson,
  readBody,
  RequestLog,
  sendJson,
  sleep,
  startHttpServer,
} from './http-helpers';

/**
 * OpenAI-compatible loopback server for the Responses API (`POST /v1/responses`) and
 * Chat Completions (`POST /v1/chat/completions`), streaming and not, shaped so that the
 * official `openai` SDK (including its strict `responses.stream()` / `chat.completions.stream()`
 * accumulators) and `@openai/agents` accept it.
 */

export interface OpenAIFakeUsage {
  input_tokens: number;
  output_tokens: number;
}

interface TurnTiming {
  /** Delay before the first streamed token (time to first token). */
  firstChunkDelayMs?: number;
  /** Delay between streamed chunks. Non-streamed replies wait the sum of all delays. */
  chunkDelayMs?: number;
  /** Overrides the estimated token counts (total is always input + output). */
  usage?: Partial<OpenAIFakeUsage>;
}

export interface OpenAIFakeTextTurn extends TurnTiming {
  type: 'text';
  text: string;
  /** Exact chunks to stream; must join to `text`. Default: word-sized chunks. */
  chunks?: string[];
  /** Split `text` into chunks of this many characters instead of words. */
  chunkSize?: number;
  /**
   * Break the stream after this many text chunks: `error` sends the API's in-stream failure
   * (`response.failed` / a chat `{"error":...}` chunk), `disconnect` destroys the socket.
   */
  interrupt?: { afterChunks: number; mode: 'error' | 'disconnect' };
}

export interface OpenAIFakeToolCall {
  name: string;
  /** JSON string, or an object that is serialised for you. */
  arguments: string | Record<string, unknown>;
  callId?: string;
}

export interface OpenAIFakeToolCallTurn extends TurnTiming, OpenAIFakeToolCall {
  type: 'tool_call';
}

export interface OpenAIFakeToolCallsTurn extends TurnTiming {
  type: 'tool_calls';
  calls: OpenAIFakeToolCall[];
}

export interface OpenAIFakeErrorTurn {
  type: 'error';
  status: number;
  message?: string;
  /** OpenAI error `type`, e.g. `server_error`, `rate_limit_error`, `invalid_request_error`. */
  errorType?: string;
  code?: string | null;
  param?: string | null;
  /**
   * Sets `x-should-retry`. The openai SDK retries 408/409/429/5xx twice by default, each retry
   * consuming the next turn; `false` makes a scripted 5xx surface at once.
   */
  shouldRetry?: boolean;
  headers?: Record<string, string>;
  delayMs?: number;
}

export type OpenAIFakeTurn =
  OpenAIFakeTextTurn | OpenAIFakeToolCallTurn | OpenAIFakeToolCallsTurn | OpenAIFakeErrorTurn;

/** A responder may return a bare string as shorthand for a text turn. */
export type OpenAIFakeReply = OpenAIFakeTurn | string;
export type OpenAIFakeResponder = (
  request: OpenAIFakeRequest,
) => OpenAIFakeReply | Promise<OpenAIFakeReply>;

export type OpenAIFakeApi = 'responses' | 'chat.completions' | 'models' | 'unknown';

export interface OpenAIFakeRequest {
  /** 1-based arrival order. */
  seq: number;
  method: string;
  /** Path without query string, e.g. `/v1/responses`. */
  path: string;
  api: OpenAIFakeApi;
  /** Lower-cased header names, e.g. `headers.authorization === 'Bearer test'`. */
  headers: Record<string, string>;
  /** Parsed JSON body; `{}` when absent or not an object. */
  body: JsonObject;
  stream: boolean;
  model: string | undefined;
  /** Where the answer came from: a scripted turn, the custom responder or the echo default. */
  source: 'script' | 'responder' | 'default' | 'none';
  turnType: OpenAIFakeTurn['type'] | undefined;
  status: number | undefined;
  outcome: 'pending' | 'completed' | 'aborted' | 'error';
  /** True when the client went away before the reply was fully written. */
  aborted: boolean;
  startedAt: number;
  finishedAt: number | undefined;
  /** Number of text/argument chunks written before the request ended. */
  chunksSent: number;
}

export interface OpenAIFakeOptions {
  /** Model name reported when a request does not name one. */
  model?: string;
  /** Default streaming timing for text and tool-call turns that do not set their own. */
  chunkDelayMs?: number;
  firstChunkDelayMs?: number;
  /** Answer when the script queue is empty (default: `Echo: <last user text>`). */
  responder?: OpenAIFakeResponder;
  /** When set, requests must carry `Authorization: Bearer <apiKey>` or get a 401. */
  apiKey?: string;
  /** Cap on recorded requests (oldest dropped first). Default 1000. */
  maxRecordedRequests?: number;
}

export interface OpenAIFakeStats {
  total: number;
  inFlight: number;
  maxInFlight: number;
  completed: number;
  aborted: number;
  errors: number;
}

export interface OpenAIFake {
  /** `http://127.0.0.1:<port>/v1`: pass as `baseURL` to `new OpenAI(...)`. */
  baseURL: string;
  /** `http://127.0.0.1:<port>` (no `/v1`). */
  url: string;
  port: number;
  /** Appends scripted turns, consumed FIFO by `/responses` and `/chat/completions` alike. */
  enqueue(...turns: OpenAIFakeReply[]): void;
  /** Shorthand for `enqueue({ type: 'text', text, ...options })`. */
  enqueueText(text: string, options?: Omit<OpenAIFakeTextTurn, 'type' | 'text'>): void;
  /** Shorthand for one function call turn. */
  enqueueToolCall(name: string, args: string | Record<string, unknown>, callId?: string): void;
  /** Shorthand for an HTTP error turn. */
  enqueueError(status: number, options?: Omit<OpenAIFakeErrorTurn, 'type' | 'status'>): void;
  /** Scripted turns not yet consumed. */
  readonly pendingTurns: number;
  /** Replaces the responder used once the queue is empty; `undefined` restores the echo default. */
  setResponder(responder: OpenAIFakeResponder | undefined): void;
  /** Recorded requests, oldest first (bounded by `maxRecordedRequests`). */
  readonly requests: readonly OpenAIFakeRequest[];
  /** Recorded model calls only (`/responses` and `/chat/completions`). */
  modelRequests(): OpenAIFakeRequest[];
  lastRequest(): OpenAIFakeRequest | undefined;
  waitForRequest(
    predicate: (request: OpenAIFakeRequest) => boolean,
    timeoutMs?: number,
  ): Promise<OpenAIFakeRequest>;
  /** Resolves with the first request the client abandoned mid-reply. */
  waitForAbort(timeoutMs?: number): Promise<OpenAIFakeRequest>;
  readonly stats: OpenAIFakeStats;
  /** Clears queue, responder and recordings (not the stats' high-water marks). */
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_MODEL = 'gpt-fake-1';

export async function startOpenAIFake(options: OpenAIFakeOptions = {}): Promise<OpenAIFake> {
  const queue: OpenAIFakeReply[] = [];
  const log = new RequestLog<OpenAIFakeRequest>(options.maxRecordedRequests ?? 1000);
  let responder: OpenAIFakeResponder | undefined = options.responder;
  let seq = 0;
  const stats: OpenAIFakeStats = {
    total: 0,
    inFlight: 0,
    maxInFlight: 0,
    completed: 0,
    aborted: 0,
    errors: 0,
  };

  const finish = (record: OpenAIFakeRequest, outcome: OpenAIFakeRequest['outcome']): void => {
    if (record.outcome !== 'pending') return;
    record.outcome = outcome;
    record.aborted = outcome === 'aborted';
    record.finishedAt = Date.now();
    stats.inFlight -= 1;
    if (outcome === 'completed') stats.completed += 1;
    else if (outcome === 'aborted') stats.aborted += 1;
    else stats.errors += 1;
    log.notify(record);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const api: OpenAIFakeApi =
      method === 'POST' && path === '/v1/responses'
        ? 'responses'
        : method === 'POST' && path === '/v1/chat/completions'
          ? 'chat.completions'
          : method === 'GET' && path.startsWith('/v1/models')
            ? 'models'
            : 'unknown';

    const raw = await readBody(req);
    const parsed = parseJson(raw);
    const body: JsonObject = isJsonObject(parsed.value) ? parsed.value : {};
    seq += 1;
    stats.total += 1;
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    const record: OpenAIFakeRequest = {
      seq,
      method,
      path,
      api,
      headers: flattenHeaders(req),
      body,
      stream: body.stream === true,
      model: typeof body.model === 'string' ? body.model : undefined,
      source: 'none',
      turnType: undefined,
      status: undefined,
      outcome: 'pending',
      aborted: false,
      startedAt: Date.now(),
      finishedAt: undefined,
      chunksSent: 0,
    };
    log.push(record);

    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) {
        abort.abort();
        finish(record, 'aborted');
      }
    });
    const requestId = makeId('req_', 32);
    const baseHeaders = { 'x-request-id': requestId, 'openai-processing-ms': '1' };
    const fail = (
      status: number,
      error: OpenAIErrorBody,
      headers: Record<string, string> = {},
    ): void => {
      record.status = status;
      sendJson(res, status, { error }, { ...baseHeaders, ...headers });
      finish(record, 'error');
    };

    if (
      options.apiKey !== undefined &&
      record.headers.authorization !== `Bearer ${options.apiKey}`
    ) {
      fail(401, {
        message:
          'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      });
      return;
    }
    if (api === 'models') {
      const model = options.model ?? DEFAULT_MODEL;
      record.status = 200;
      sendJson(
        res,
        200,
        {
          object: 'list',
          data: [{ id: model, object: 'model', created: 1_700_000_000, owned_by: 'fake' }],
        },
        baseHeaders,
      );
      finish(record, 'completed');
      return;
    }
    if (api === 'unknown') {
      fail(404, {
        message: `Invalid URL (${method} ${path})`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      });
      return;
    }
    if (parsed.error !== undefined) {
      fail(400, {
        message: `We could not parse the JSON body of your request. (${parsed.error})`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      });
      return;
    }

    let reply: OpenAIFakeReply;
    const scripted = queue.shift();
    if (scripted !== undefined) {
      record.source = 'script';
      reply = scripted;
    } else if (responder) {
      record.source = 'responder';
      try {
        reply = await responder(record);
      } catch (error) {
        // A throwing responder is a test bug; answer like an API failure so the request still
        // ends in the stats instead of leaking as in-flight.
        fail(500, {
          message: `fake responder threw: ${describeError(error)}`,
          type: 'server_error',
          param: null,
          code: null,
        });
        return;
      }
    } else {
      record.source = 'default';
      reply = defaultEcho(record);
    }
    const turn: OpenAIFakeTurn = typeof reply === 'string' ? { type: 'text', text: reply } : reply;
    record.turnType = turn.type;

    if (turn.type === 'error') {
      if (!(await sleep(turn.delayMs ?? 0, abort.signal))) return;
      const headers: Record<string, string> = { ...(turn.headers ?? {}) };
      if (turn.shouldRetry !== undefined) headers['x-should-retry'] = String(turn.shouldRetry);
      fail(turn.status, errorBodyFor(turn), headers);
      return;
    }

    const ctx: ReplyContext = {
      res,
      record,
      signal: abort.signal,
      model: record.model ?? options.model ?? DEFAULT_MODEL,
      headers: baseHeaders,
      plan: planReply(turn, record, options),
    };
    const writer = api === 'responses' ? writeResponses : writeChatCompletion;
    const ok = await writer(ctx);
    if (ok) finish(record, turn.type === 'text' && turn.interrupt ? 'error' : 'completed');
  };

  const started = await startHttpServer(handle);
  const url = `http://127.0.0.1:${started.port}`;

  return {
    baseURL: `${url}/v1`,
    url,
    port: started.port,
    enqueue: (...turns) => {
      queue.push(...turns);
    },
    enqueueText: (text, textOptions = {}) => {
      queue.push({ type: 'text', text, ...textOptions });
    },
    enqueueToolCall: (name, args, callId) => {
      queue.push({ type: 'tool_call', name, arguments: args, callId });
    },
    enqueueError: (status, errorOptions = {}) => {
      queue.push({ type: 'error', status, ...errorOptions });
    },
    get pendingTurns() {
      return queue.length;
    },
    setResponder: (next) => {
      responder = next;
    },
    get requests() {
      return log.all();
    },
    modelRequests: () =>
      log.all().filter((r) => r.api === 'responses' || r.api === 'chat.completions'),
    lastRequest: () => {
      const all = log.all();
      return all[all.length - 1];
    },
    waitForRequest: (predicate, timeoutMs = 5000) =>
      log.waitFor(predicate, timeoutMs, 'an OpenAI request'),
    waitForAbort: (timeoutMs = 5000) =>
      log.waitFor((r) => r.aborted, timeoutMs, 'an aborted OpenAI request'),
    get stats() {
      return { ...stats };
    },
    reset: () => {
      queue.length = 0;
      responder = options.responder;
      log.clear();
    },
    close: () => started.close(),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading requests in both wire formats

export interface ConversationMessage {
  role: string;
  text: string;
}

export interface ToolOutput {
  callId: string;
  output: string;
}

type BodySource = { body: JsonObject } | JsonObject;

function bodyOf(source: BodySource): JsonObject {
  if ('input' in source || 'messages' in source) return source;
  const inner: unknown = source.body;
  return isJsonObject(inner) ? inner : source;
}

function partText(part: JsonValue): string {
  if (typeof part === 'string') return part;
  if (isJsonObject(part) && typeof part.text === 'string') return part.text;
  return '';
}

function contentText(content: JsonValue | undefined): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map(partText).join('');
  return '';
}

/**
 * Messages in order, with text flattened, for both wire formats: Responses `instructions` and
 * chat `system`/`developer` messages come out as role `system`/`developer`.
 */
export function conversationOf(source: BodySource): ConversationMessage[] {
  const body = bodyOf(source);
  const out: ConversationMessage[] = [];
  if (Array.isArray(body.messages)) {
    for (const message of body.messages) {
      if (isJsonObject(message) && typeof message.role === 'string') {
        out.push({ role: message.role, text: contentText(message.content) });
      }
    }
    return out;
  }
  if (typeof body.instructions === 'string') out.push({ role: 'system', text: body.instructions });
  if (typeof body.input === 'string') {
    out.push({ role: 'user', text: body.input });
  } else if (Array.isArray(body.input)) {
    for (const item of body.input) {
      if (!isJsonObject(item) || typeof item.role !== 'string') continue;
      if (item.type !== undefined && item.type !== 'message') continue;
      out.push({ role: item.role, text: contentText(item.content) });
    }
  }
  return out;
}

export function userTextsOf(source: BodySource): string[] {
  return conversationOf(source)
    .filter((m) => m.role === 'user')
    .map((m) => m.text);
}

/** Text of the last user message of a recorded request (either wire format), or `''`. */
export function lastUserText(source: BodySource): string {
  const texts = userTextsOf(source);
  return texts[texts.length - 1] ?? '';
}

/** Tool results the client sent back (`function_call_output` items / `role: tool` messages). */
export function toolOutputsOf(source: BodySource): ToolOutput[] {
  const body = bodyOf(source);
  const out: ToolOutput[] = [];
  if (Array.isArray(body.messages)) {
    for (const m of body.messages) {
      if (isJsonObject(m) && m.role === 'tool') {
        out.push({
          callId: typeof m.tool_call_id === 'string' ? m.tool_call_id : '',
          output: contentText(m.content),
        });
      }
    }
  } else if (Array.isArray(body.input)) {
    for (const item of body.input) {
      if (isJsonObject(item) && item.type === 'function_call_output') {
        const output = typeof item.output === 'string' ? item.output : contentText(item.output);
        out.push({ callId: typeof item.call_id === 'string' ? item.call_id : '', output });
      }
    }
  }
  return out;
}

function defaultEcho(record: OpenAIFakeRequest): OpenAIFakeTextTurn {
  return { type: 'text', text: `Echo: ${lastUserText(record)}` };
}

// ---------------------------------------------------------------------------------------------
// Reply planning and writing

interface OpenAIErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

function errorBodyFor(turn: OpenAIFakeErrorTurn): OpenAIErrorBody {
  const defaults: Record<number, [string, string | null, string]> = {
    400: ['invalid_request_error', null, 'Invalid request.'],
    401: ['invalid_request_error', 'invalid_api_key', 'Incorrect API key provided.'],
    403: ['invalid_request_error', 'unsupported_country_region_territory', 'Forbidden.'],
    404: [
      'invalid_request_error',
      'model_not_found',
      'The model does not exist or you do not have access to it.',
    ],
    429: ['requests', 'rate_limit_exceeded', 'Rate limit reached. Please try again later.'],
  };
  const [type, code, message] = defaults[turn.status] ?? [
    'server_error',
    null,
    'The server had an error while processing your request. Sorry about that!',
  ];
  return {
    message: turn.message ?? message,
    type: turn.errorType ?? type,
    param: turn.param ?? null,
    code: turn.code === undefined ? code : turn.code,
  };
}

interface PlannedCall {
  itemId: string;
  callId: string;
  name: string;
  arguments: string;
}

interface ReplyPlan {
  kind: 'text' | 'tools';
  chunks: string[];
  text: string;
  calls: PlannedCall[];
  firstDelayMs: number;
  chunkDelayMs: number;
  usage: { input: number; output: number };
  interrupt: OpenAIFakeTextTurn['interrupt'];
}

interface ReplyContext {
  res: ServerResponse;
  record: OpenAIFakeRequest;
  signal: AbortSignal;
  model: string;
  headers: Record<string, string>;
  plan: ReplyPlan;
}

/** ~4 characters a token: deterministic, cheap, and close enough for quota arithmetic. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

function splitChunks(turn: OpenAIFakeTextTurn): string[] {
  if (turn.chunks) return turn.chunks;
  if (turn.chunkSize && turn.chunkSize > 0) {
    const out: string[] = [];
    for (let i = 0; i < turn.text.length; i += turn.chunkSize)
      out.push(turn.text.slice(i, i + turn.chunkSize));
    return out;
  }
  // Leading-space word pieces resemble real token deltas ("Hello", " world").
  return turn.text.match(/\s*\S+|\s+$/g) ?? [turn.text];
}

function inputTokens(record: OpenAIFakeRequest): number {
  let chars = 0;
  for (const message of conversationOf(record)) chars += message.text.length;
  for (const output of toolOutputsOf(record)) chars += output.output.length;
  return Math.max(1, Math.ceil(chars / 4));
}

function planReply(
  turn: Exclude<OpenAIFakeTurn, OpenAIFakeErrorTurn>,
  record: OpenAIFakeRequest,
  options: OpenAIFakeOptions,
): ReplyPlan {
  const firstDelayMs = turn.firstChunkDelayMs ?? options.firstChunkDelayMs ?? 0;
  const chunkDelayMs = turn.chunkDelayMs ?? options.chunkDelayMs ?? 0;
  const input = turn.usage?.input_tokens ?? inputTokens(record);
  if (turn.type === 'text') {
    return {
      kind: 'text',
      chunks: splitChunks(turn),
      text: turn.text,
      calls: [],
      firstDelayMs,
      chunkDelayMs,
      usage: { input, output: turn.usage?.output_tokens ?? Math.max(1, estimateTokens(turn.text)) },
      interrupt: turn.interrupt,
    };
  }
  const calls = (turn.type === 'tool_call' ? [turn] : turn.calls).map((call): PlannedCall => ({
    itemId: makeId('fc_', 40),
    callId: call.callId ?? makeId('call_', 24),
    name: call.name,
    arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
  }));
  const outputChars = calls.reduce((n, c) => n + c.name.length + c.arguments.length, 0);
  return {
    kind: 'tools',
    chunks: [],
    text: '',
    calls,
    firstDelayMs,
    chunkDelayMs,
    usage: { input, output: turn.usage?.output_tokens ?? Math.max(1, Math.ceil(outputChars / 4)) },
    interrupt: undefined,
  };
}

const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
};

/** `res.end()` after uncorking: Node 22 drops corked writes after the first when ended corked. */
function endResponse(res: ServerResponse): void {
  while (res.writableCorked > 0) res.uncork();
  res.end();
}

function writeChunk(ctx: ReplyContext, data: string): boolean {
  const { res } = ctx;
  if (ctx.signal.aborted || res.destroyed) return false;
  // Events written in the same tick go out as one socket write: at benchmark concurrency the
  // syscall count, not JSON work, is what limits the fake.
  if (res.writableCorked === 0) {
    res.cork();
    process.nextTick(() => res.uncork());
  }
  res.write(data);
  return true;
}

/** Non-streamed replies still take as long as the streamed ones would. */
async function waitWholeReply(ctx: ReplyContext): Promise<boolean> {
  const { plan } = ctx;
  const steps = plan.kind === 'text' ? plan.chunks.length : plan.calls.length;
  return sleep(plan.firstDelayMs + plan.chunkDelayMs * Math.max(0, steps - 1), ctx.signal);
}

function responsesUsage(plan: ReplyPlan): JsonObject {
  return {
    input_tokens: plan.usage.input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: plan.usage.output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: plan.usage.input + plan.usage.output,
  };
}

function responseEnvelope(
  ctx: ReplyContext,
  id: string,
  createdAt: number,
  status: string,
): JsonObject {
  const b = ctx.record.body;
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: typeof b.instructions === 'string' ? b.instructions : null,
    max_output_tokens: typeof b.max_output_tokens === 'number' ? b.max_output_tokens : null,
    max_tool_calls: null,
    model: ctx.model,
    output: [],
    parallel_tool_calls: typeof b.parallel_tool_calls === 'boolean' ? b.parallel_tool_calls : true,
    previous_response_id:
      typeof b.previous_response_id === 'string' ? b.previous_response_id : null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: typeof b.store === 'boolean' ? b.store : true,
    temperature: typeof b.temperature === 'number' ? b.temperature : 1,
    text: isJsonObject(b.text) ? b.text : { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: b.tool_choice ?? 'auto',
    tools: Array.isArray(b.tools) ? b.tools : [],
    top_logprobs: 0,
    top_p: typeof b.top_p === 'number' ? b.top_p : 1,
    truncation: typeof b.truncation === 'string' ? b.truncation : 'disabled',
    usage: null,
    user: null,
    metadata: isJsonObject(b.metadata) ? b.metadata : {},
  };
}

function outputTextPart(text: string): JsonObject {
  return { type: 'output_text', annotations: [], logprobs: [], text };
}

function messageItem(id: string, status: string, text: string | undefined): JsonObject {
  return {
    id,
    type: 'message',
    status,
    content: text === undefined ? [] : [outputTextPart(text)],
    role: 'assistant',
  };
}

function functionCallItem(call: PlannedCall, status: string, args: string): JsonObject {
  return {
    id: call.itemId,
    type: 'function_call',
    status,
    arguments: args,
    call_id: call.callId,
    name: call.name,
  };
}

async function writeResponses(ctx: ReplyContext): Promise<boolean> {
  const { plan, res, record } = ctx;
  const id = makeId('resp_', 48);
  const createdAt = Math.floor(Date.now() / 1000);
  const messageId = makeId('msg_', 48);
  const finalOutput: JsonObject[] =
    plan.kind === 'text'
      ? [messageItem(messageId, 'completed', plan.text)]
      : plan.calls.map((c) => functionCallItem(c, 'completed', c.arguments));

  if (!record.stream) {
    if (!(await waitWholeReply(ctx))) return false;
    record.status = 200;
    sendJson(
      res,
      200,
      {
        ...responseEnvelope(ctx, id, createdAt, 'completed'),
        output: finalOutput,
        usage: responsesUsage(plan),
      },
      ctx.headers,
    );
    return true;
  }

  record.status = 200;
  res.writeHead(200, { ...SSE_HEADERS, ...ctx.headers });
  let sequence = 0;
  const emit = (type: string, fields: JsonObject): boolean =>
    writeChunk(
      ctx,
      `event: ${type}\ndata: ${JSON.stringify({ type, ...fields, sequence_number: sequence++ })}\n\n`,
    );

  emit('response.created', { response: responseEnvelope(ctx, id, createdAt, 'in_progress') });
  emit('response.in_progress', { response: responseEnvelope(ctx, id, createdAt, 'in_progress') });
  if (!(await sleep(plan.firstDelayMs, ctx.signal))) return false;

  if (plan.kind === 'text') {
    const where = { item_id: messageId, output_index: 0, content_index: 0 };
    emit('response.output_item.added', {
      output_index: 0,
      item: messageItem(messageId, 'in_progress', undefined),
    });
    emit('response.content_part.added', { ...where, part: outputTextPart('') });
    for (let i = 0; i < plan.chunks.length; i += 1) {
      if (i > 0 && !(await sleep(plan.chunkDelayMs, ctx.signal))) return false;
      if (plan.interrupt && i === plan.interrupt.afterChunks)
        return interruptResponses(ctx, emit, id, createdAt);
      if (!emit('response.output_text.delta', { ...where, delta: plan.chunks[i], logprobs: [] }))
        return false;
      record.chunksSent += 1;
    }
    if (plan.interrupt && plan.interrupt.afterChunks >= plan.chunks.length) {
      return interruptResponses(ctx, emit, id, createdAt);
    }
    emit('response.output_text.done', { ...where, text: plan.text, logprobs: [] });
    emit('response.content_part.done', { ...where, part: outputTextPart(plan.text) });
    emit('response.output_item.done', { output_index: 0, item: finalOutput[0] });
  } else {
    for (let i = 0; i < plan.calls.length; i += 1) {
      const call = plan.calls[i];
      if (i > 0 && !(await sleep(plan.chunkDelayMs, ctx.signal))) return false;
      emit('response.output_item.added', {
        output_index: i,
        item: functionCallItem(call, 'in_progress', ''),
      });
      emit('response.function_call_arguments.delta', {
        item_id: call.itemId,
        output_index: i,
        delta: call.arguments,
      });
      emit('response.function_call_arguments.done', {
        item_id: call.itemId,
        output_index: i,
        name: call.name,
        arguments: call.arguments,
      });
      if (!emit('response.output_item.done', { output_index: i, item: finalOutput[i] }))
        return false;
      record.chunksSent += 1;
    }
  }
  emit('response.completed', {
    response: {
      ...responseEnvelope(ctx, id, createdAt, 'completed'),
      output: finalOutput,
      usage: responsesUsage(plan),
    },
  });
  endResponse(res);
  return true;
}

function interruptResponses(
  ctx: ReplyContext,
  emit: (type: string, fields: JsonObject) => boolean,
  id: string,
  createdAt: number,
): boolean {
  if (ctx.plan.interrupt?.mode === 'disconnect') {
    ctx.res.destroy();
    return false;
  }
  emit('response.failed', {
    response: {
      ...responseEnvelope(ctx, id, createdAt, 'failed'),
      error: {
        code: 'server_error',
        message: 'The model failed to generate a response (injected by fake).',
      },
    },
  });
  endResponse(ctx.res);
  return true;
}

function chatUsage(plan: ReplyPlan): JsonObject {
  return {
    prompt_tokens: plan.usage.input,
    completion_tokens: plan.usage.output,
    total_tokens: plan.usage.input + plan.usage.output,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

async function writeChatCompletion(ctx: ReplyContext): Promise<boolean> {
  const { plan, res, record } = ctx;
  const id = makeId('chatcmpl-', 29);
  const created = Math.floor(Date.now() / 1000);
  const toolCalls: JsonObject[] = plan.calls.map((c) => ({
    id: c.callId,
    type: 'function',
    function: { name: c.name, arguments: c.arguments },
  }));
  const finishReason = plan.kind === 'text' ? 'stop' : 'tool_calls';

  if (!record.stream) {
    if (!(await waitWholeReply(ctx))) return false;
    record.status = 200;
    sendJson(
      res,
      200,
      {
        id,
        object: 'chat.completion',
        created,
        model: ctx.model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: plan.kind === 'text' ? plan.text : null,
              refusal: null,
              annotations: [],
              ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
            },
            logprobs: null,
            finish_reason: finishReason,
          },
        ],
        usage: chatUsage(plan),
        service_tier: 'default',
        system_fingerprint: 'fp_fake',
      },
      ctx.headers,
    );
    return true;
  }

  const streamOptions = record.body.stream_options;
  const includeUsage = isJsonObject(streamOptions) && streamOptions.include_usage === true;
  record.status = 200;
  res.writeHead(200, { ...SSE_HEADERS, ...ctx.headers });
  const chunk = (choices: JsonValue[], extra: JsonObject = {}): boolean =>
    writeChunk(
      ctx,
      `data: ${JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model: ctx.model,
        service_tier: 'default',
        system_fingerprint: 'fp_fake',
        choices,
        ...(includeUsage ? { usage: null } : {}),
        ...extra,
      })}\n\n`,
    );
  const delta = (d: JsonObject, finish: string | null = null): JsonObject => ({
    index: 0,
    delta: d,
    logprobs: null,
    finish_reason: finish,
  });

  if (!(await sleep(plan.firstDelayMs, ctx.signal))) return false;
  if (plan.kind === 'text') {
    chunk([delta({ role: 'assistant', content: '', refusal: null })]);
    for (let i = 0; i < plan.chunks.length; i += 1) {
      if (i > 0 && !(await sleep(plan.chunkDelayMs, ctx.signal))) return false;
      if (plan.interrupt && i === plan.interrupt.afterChunks) return interruptChat(ctx);
      if (!chunk([delta({ content: plan.chunks[i] })])) return false;
      record.chunksSent += 1;
    }
    if (plan.interrupt && plan.interrupt.afterChunks >= plan.chunks.length)
      return interruptChat(ctx);
  } else {
    for (let i = 0; i < plan.calls.length; i += 1) {
      const call = plan.calls[i];
      if (i > 0 && !(await sleep(plan.chunkDelayMs, ctx.signal))) return false;
      const head = {
        tool_calls: [
          {
            index: i,
            id: call.callId,
            type: 'function',
            function: { name: call.name, arguments: '' },
          },
        ],
      };
      chunk([delta(i === 0 ? { role: 'assistant', content: null, ...head, refusal: null } : head)]);
      if (!chunk([delta({ tool_calls: [{ index: i, function: { arguments: call.arguments } }] })]))
        return false;
      record.chunksSent += 1;
    }
  }
  chunk([delta({}, finishReason)]);
  if (includeUsage) chunk([], { usage: chatUsage(plan) });
  writeChunk(ctx, 'data: [DONE]\n\n');
  endResponse(res);
  return true;
}

function interruptChat(ctx: ReplyContext): boolean {
  if (ctx.plan.interrupt?.mode === 'disconnect') {
    ctx.res.destroy();
    return false;
  }
  writeChunk(
    ctx,
    `data: ${JSON.stringify({
      error: {
        message: 'The server had an error while processing your request (injected by fake).',
        type: 'server_error',
        param: null,
        code: null,
      },
    })}\n\n`,
  );
  endResponse(ctx.res);
  return true;
}
