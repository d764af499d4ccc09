import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
} from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';

const TRACER_NAME = 'anything-agents-api';

/** Express leaves the matched route on the request once a handler ran. */
interface RoutedRequest extends IncomingMessage {
  route?: { path?: unknown };
  baseUrl?: string;
  path?: string;
}

/**
 * The server span of one request, started by the outermost middleware (one pass per request,
 * measured cheaper than the HTTP instrumentation's inbound side, which binds every request and
 * response emitter and derives dozens of attributes): continues an inbound W3C `traceparent`,
 * ends when the response closes, named `METHOD /route/:template` with the stable HTTP
 * semantic-convention attributes. Returns the context the rest of the request runs in.
 */
export function serverSpanContext(request: RoutedRequest, response: ServerResponse): Context {
  const parent = propagation.extract(ROOT_CONTEXT, request.headers);
  const method = request.method ?? 'GET';
  const span = trace.getTracer(TRACER_NAME).startSpan(
    method,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': method,
        'url.path': request.path ?? request.url ?? '/',
        'url.scheme': 'encrypted' in request.socket ? 'https' : 'http',
        'network.peer.address': request.socket.remoteAddress ?? '',
        'user_agent.original': request.headers['user-agent'] ?? '',
      },
    },
    parent,
  );
  response.once('close', () => {
    const status = response.statusCode;
    const path = request.route?.path;
    if (typeof path === 'string') {
      const route = `${request.baseUrl ?? ''}${path}`;
      span.setAttribute('http.route', route);
      span.updateName(`${method} ${route}`);
    }
    span.setAttribute('http.response.status_code', status);
    if (status >= 500) {
      span.setAttribute('error.type', String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    if (!response.writableFinished) span.setAttribute('http.request.aborted', true);
    span.end();
  });
  return trace.setSpan(parent, span);
}

/** Runs `fn` (the rest of the middleware chain) inside the request's server span. */
export function withServerSpan<T>(
  request: RoutedRequest,
  response: ServerResponse,
  fn: () => T,
): T {
  return context.with(serverSpanContext(request, response), fn);
}
