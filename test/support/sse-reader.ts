import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * One Server-Sent Events reader for tests, on `eventsource-parser` (the WHATWG parsing rules:
 * multi-line `data:`, `event:`/`id:` fields, CRLF, comments), instead of splitting on `\n\n`.
 * The chat and billing stream clients of the e2e tests read through it.
 */
export type SseEvent = EventSourceMessage;

export interface SseRead {
  /** Events in arrival order (`data` joined with `\n` across its lines, as a browser does). */
  events: SseEvent[];
  /** Comment lines (`: ping` gives `ping`; leading space trimmed by the parser). */
  comments: string[];
}

export interface SseReadOptions {
  /** Called as each event arrives; may stop the read by aborting `signal`. */
  onEvent?: (event: SseEvent) => void;
  onComment?: (comment: string) => void;
  /**
   * Called with the body text as it arrives, before parsing: for tests that assert the exact
   * wire bytes (`data: ` with its space, `: ping` comment frames), which a parser hides.
   */
  onText?: (text: string) => void;
  /** Stops reading (the events so far are returned; the stream is cancelled). */
  signal?: AbortSignal;
}

type SseBody = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string>;

/** Reads an SSE body (a fetch `response.body`, a Node stream, any async iterable) to its end. */
export async function readSse(body: SseBody, options: SseReadOptions = {}): Promise<SseRead> {
  const read: SseRead = { events: [], comments: [] };
  const parser = createParser({
    onEvent: (event) => {
      read.events.push(event);
      options.onEvent?.(event);
    },
    onComment: (comment) => {
      read.comments.push(comment);
      options.onComment?.(comment);
    },
  });
  const decoder = new TextDecoder();
  const chunks = isReadableStream(body) ? streamChunks(body, options.signal) : body;
  const feed = (text: string) => {
    if (!text) return;
    options.onText?.(text);
    parser.feed(text);
  };
  for await (const chunk of chunks) {
    feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    if (options.signal?.aborted) break;
  }
  feed(decoder.decode());
  return read;
}

/** Parses a complete SSE text (a captured body). An unterminated last event is dropped, as spec'd. */
export function parseSse(text: string): SseRead {
  const read: SseRead = { events: [], comments: [] };
  const parser = createParser({
    onEvent: (event) => read.events.push(event),
    onComment: (comment) => read.comments.push(comment),
  });
  parser.feed(text);
  return read;
}

/** The `data` of each event parsed as JSON (the shape every stream of this API sends). */
export function jsonData<T = Record<string, unknown>>(events: readonly SseEvent[]): T[] {
  return events.map((event) => JSON.parse(event.data) as T);
}

function isReadableStream(body: SseBody): body is ReadableStream<Uint8Array> {
  return typeof (body as ReadableStream<Uint8Array>).getReader === 'function';
}

async function* streamChunks(
  stream: ReadableStream<Uint8Array>,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  const cancel = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    signal?.removeEventListener('abort', cancel);
    reader.releaseLock();
  }
}
