import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppException } from '../app-exception';
import { PlatformErrorCode } from '../error-codes';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return request.headers['transfer-encoding'] !== undefined;
}

/** The API speaks JSON: a request body of another media type is a 415, not a silent `{}`. */
export function jsonContentTypeMiddleware(): RequestHandler {
  return (request: Request, _response: Response, next: NextFunction) => {
    if (!BODY_METHODS.has(request.method) || !hasBody(request)) return next();
    const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type === 'application/json' || type.endsWith('+json')) return next();
    next(
      new AppException(415, 'Unsupported Media Type: send application/json.', {
        code: PlatformErrorCode.UnsupportedMediaType,
      }),
    );
  };
}
