import {
  context,
  INVALID_SPAN_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
} from '@opentelemetry/api';
import { TraceState } from './trace-state';

const TRACER_NAME = 'anything-agents-api';

/** Handed to span bodies when tracing is off: every call on it is a no-op. */
const NO_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
}

function recordFailure(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : undefined,
  });
}

/**
 * Runs `fn` inside a new active span (children such as database calls nest under it), ending
 * it when `fn` settles and marking it failed when it throws. With tracing off, `fn` runs as is.
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  if (!TraceState.enabled()) return fn(NO_SPAN);
  return trace.getTracer(TRACER_NAME).startActiveSpan(name, options, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      recordFailure(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Traces a stream: the span covers pulling every item of `open()`'s iterable, each pull runs
 * with the span active (so an HTTP call made lazily by the source is its child), `onItem` sees
 * each item, and the span ends when the stream ends, fails or is abandoned by the consumer.
 */
export async function* inStreamSpan<T>(
  name: string,
  options: SpanOptions,
  open: () => AsyncIterable<T>,
  onItem: (span: Span, item: T) => void,
): AsyncGenerator<T> {
  if (!TraceState.enabled()) {
    for await (const item of open()) {
      onItem(NO_SPAN, item);
      yield item;
    }
    return;
  }
  const span = trace.getTracer(TRACER_NAME).startSpan(name, options);
  const active = trace.setSpan(context.active(), span);
  const iterator = context.with(active, () => open()[Symbol.asyncIterator]());
  let finished = false;
  try {
    for (;;) {
      const next = await context.with(active, () => iterator.next());
      if (next.done) break;
      onItem(span, next.value);
      yield next.value;
    }
    finished = true;
  } catch (error) {
    finished = true;
    recordFailure(span, error);
    throw error;
  } finally {
    // A consumer that stops early (return/throw into the generator) closes the source too.
    if (!finished) await iterator.return?.();
    span.end();
  }
}

/** Sets attributes on the active span (the HTTP server span in a request), if any. */
export function annotateActiveSpan(attributes: Attributes): void {
  if (!TraceState.enabled()) return;
  trace.getActiveSpan()?.setAttributes(attributes);
}

/** The active span's ids for log lines, or undefined when nothing is traced. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  if (!TraceState.enabled()) return undefined;
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const ids = span.spanContext();
  if (ids.traceId === INVALID_SPAN_CONTEXT.traceId) return undefined;
  return { trace_id: ids.traceId, span_id: ids.spanId };
}

export { SpanKind };
