import { json, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Same test as body-parser's `type-is.hasBody`: a length header or chunked transfer. */
function hasBody(request: Request): boolean {
  return (
    request.headers['transfer-encoding'] !== undefined ||
    request.headers['content-length'] !== undefined
  );
}

/**
 * The JSON body parser, keeping the raw bytes on `request.rawBody` for signature checks (what
 * Nest's `rawBody: true` does). Requests without a body (most GETs) skip the parser entirely.
 */
export function jsonBodyMiddleware(limit: string): RequestHandler {
  const parser = json({
    limit,
    verify: (request: IncomingMessage, _response: ServerResponse, buffer: Buffer) => {
      (request as IncomingMessage & { rawBody?: Buffer }).rawBody = buffer;
    },
  });
  return (request: Request, response: Response, next: NextFunction) => {
    if (!hasBody(request)) return next();
    parser(request, response, next);
  };
}
