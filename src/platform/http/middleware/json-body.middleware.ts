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
 * The media types parsed as JSON: the same rule as `jsonContentTypeMiddleware` (`application/json`
 * and any `+json` type). Parsing fewer would let an accepted `+json` body through unparsed: a DTO
 * route then saw no body at all, a body-less one ran despite malformed JSON.
 */
function isJsonMediaType(request: IncomingMessage): boolean {
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

/**
 * The JSON body parser, keeping the raw bytes on `request.rawBody` for signature checks (what
 * Nest's `rawBody: true` does). Requests without a body (most GETs) skip the parser entirely.
 */
export function jsonBodyMiddleware(limit: string): RequestHandler {
  const parser = json({
    limit,
    type: isJsonMediaType,
    verify: (request: IncomingMessage, _response: ServerResponse, buffer: Buffer) => {
      (request as IncomingMessage & { rawBody?: Buffer }).rawBody = buffer;
    },
  });
  return (request: Request, response: Response, next: NextFunction) => {
    if (!hasBody(request)) return next();
    parser(request, response, next);
  };
}
