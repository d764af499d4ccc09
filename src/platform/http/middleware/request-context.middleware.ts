import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { PROBE_PATHS } from '../../health/probe-paths';
import { RequestContext } from '../../observability/request-context';
import { TraceState, withServerSpan } from '../../observability/tracing';

const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Inbound ids are honoured only when safe to echo and log (decision P4); otherwise a new UUID. */
export function resolveRequestId(request: Request): string {
  for (const header of ['x-correlation-id', 'x-request-id']) {
    const value = request.headers[header];
    if (typeof value === 'string' && SAFE_ID.test(value)) return value;
  }
  return randomUUID();
}

/**
 * Outermost middleware: binds the request context (id, client IP) for everything downstream,
 * echoes the id as `X-Correlation-ID` and `X-Request-ID`, and stamps `X-Process-Time` (seconds,
 * 4 decimals, measured until the headers go out, as the reference does) plus security headers.
 */
export function requestContextMiddleware(): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const startedAt = performance.now();
    const requestId = resolveRequestId(request);
    response.locals.requestId = requestId;
    response.locals.startedAt = startedAt;
    response.setHeader('X-Correlation-ID', requestId);
    response.setHeader('X-Request-ID', requestId);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.setHeader('X-Frame-Options', 'DENY');

    const writeHead = response.writeHead.bind(response) as (...args: unknown[]) => Response;
    (response as unknown as { writeHead: (...args: unknown[]) => Response }).writeHead = (
      ...args: unknown[]
    ) => {
      if (!response.headersSent) {
        response.setHeader('X-Process-Time', ((performance.now() - startedAt) / 1000).toFixed(4));
      }
      return writeHead(...args);
    };

    const rest = () => RequestContext.run({ requestId }, () => next());
    // With tracing on, everything downstream runs in this request's server span (probes aside).
    if (TraceState.enabled() && !PROBE_PATHS.has(request.path)) {
      withServerSpan(request, response, rest);
    } else {
      rest();
    }
  };
}
