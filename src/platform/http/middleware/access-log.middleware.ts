import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../../observability/metrics.service';
import { PROBE_PATHS } from '../../health/probe-paths';

interface HttpMetrics {
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route' | 'status'>;
  inFlight: Gauge;
}

function httpMetrics(metrics: MetricsService): HttpMetrics {
  return {
    requests: metrics.counter({
      name: 'http_server_requests_total',
      help: 'HTTP requests by route template',
      labelNames: ['method', 'route', 'status'],
    }),
    duration: metrics.histogram({
      name: 'http_server_request_duration_seconds',
      help: 'HTTP request duration by route template (until the response finished)',
      labelNames: ['method', 'route', 'status'],
    }),
    inFlight: metrics.gauge({
      name: 'http_server_requests_in_flight',
      help: 'HTTP requests being served',
    }),
  };
}

/** Route template (`/api/v1/conversations/:conversation_id`), never the raw path (cardinality). */
function routeTemplate(request: Request, status: number): string {
  const route = (request.route as { path?: unknown } | undefined)?.path;
  if (typeof route === 'string') return `${request.baseUrl}${route}`;
  return status === 404 ? 'unmatched' : 'middleware';
}

/**
 * One access-log line per request after it completes (SSE streams also get a line when they
 * start), plus the HTTP server metrics. Probe traffic logs at debug to keep INFO readable.
 */
export function accessLogMiddleware(logger: Logger, metrics: MetricsService): RequestHandler {
  const http = httpMetrics(metrics);
  return (request: Request, response: Response, next: NextFunction) => {
    const startedAt = (response.locals.startedAt as number | undefined) ?? performance.now();
    const level = PROBE_PATHS.has(request.path) ? 'debug' : 'info';
    http.inFlight.inc();
    let done = false;

    const finish = (endReason: 'finished' | 'client_closed') => {
      if (done) return;
      done = true;
      http.inFlight.dec();
      const seconds = (performance.now() - startedAt) / 1000;
      const status = response.statusCode;
      const route = routeTemplate(request, status);
      const labels = { method: request.method, route, status: String(status) };
      http.requests.inc(labels);
      http.duration.observe(labels, seconds);
      logger[level](
        {
          event: 'http.access',
          method: request.method,
          route,
          path: request.path,
          status,
          duration_ms: Math.round(seconds * 1000 * 100) / 100,
          bytes: Number(response.getHeader('content-length') ?? 0) || undefined,
          client_ip: request.ip,
          user_agent: request.headers['user-agent'],
          end_reason: endReason,
        },
        `${request.method} ${route} ${status}`,
      );
    };
    // One listener: 'close' follows 'finish' on every response (and alone on a client abort).
    response.once('close', () => finish(response.writableFinished ? 'finished' : 'client_closed'));
    next();
  };
}
