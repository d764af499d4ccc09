import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { RequestContext } from '../../observability/request-context';
import { PROBE_PATHS } from '../../health/probe-paths';
import { PlatformErrorCode } from '../error-codes';

function hostMatches(host: string, pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.'))
    return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return host === pattern;
}

/** `ALLOWED_HOSTS` check (decision P5): 400 envelope for any other Host, probes exempt. */
export function hostCheckMiddleware(allowedHosts: string[]): RequestHandler {
  const patterns = allowedHosts.map((h) => h.toLowerCase());
  const allowAll = patterns.includes('*');
  return (request: Request, response: Response, next: NextFunction) => {
    if (allowAll || PROBE_PATHS.has(request.path)) return next();
    const host = (request.headers.host ?? '')
      .toLowerCase()
      .replace(/:\d+$/, '')
      .replace(/^\[|\]$/g, '');
    if (patterns.some((pattern) => hostMatches(host, pattern))) return next();
    response.status(400).json({
      success: false,
      error: 'Invalid host header',
      message: 'Invalid host header',
      details: null,
      code: PlatformErrorCode.InvalidHost,
      request_id: RequestContext.requestId() ?? null,
    });
  };
}
