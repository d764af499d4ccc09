import cors from 'cors';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AppConfig } from '../../config/app-config';

/** Headers browsers may read from our responses. */
export const EXPOSED_HEADERS = [
  'X-Correlation-ID',
  'X-Request-ID',
  'X-Process-Time',
  'Retry-After',
  'X-Next-Cursor',
  'X-Messages-Next-Cursor',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'Idempotent-Replayed',
  'X-Run-Id',
];

/**
 * CORS from config (credentials allowed, PATCH in the default methods, our headers exposed).
 * Requests without an `Origin` header (servers, proxies, probes) skip the CORS work entirely;
 * they still get `Vary: Origin` so a shared cache never serves them a browser's variant.
 */
export function corsMiddleware(config: AppConfig): RequestHandler {
  const handler = cors({
    origin: config.ALLOWED_ORIGINS.includes('*') ? true : config.ALLOWED_ORIGINS,
    methods: config.ALLOWED_METHODS,
    allowedHeaders: config.ALLOWED_HEADERS.includes('*') ? undefined : config.ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    credentials: true,
    maxAge: 600,
  });
  return (request: Request, response: Response, next: NextFunction) => {
    if (request.headers.origin === undefined) {
      response.setHeader('Vary', 'Origin');
      return next();
    }
    handler(request, response, next);
  };
}
