import type { ErrorRequestHandler } from 'express';
import { AppException } from '../app-exception';
import type { RawBodyRoutes } from '../raw-body-routes';
import { codeForStatus, PlatformErrorCode, STATUS_PHRASES } from '../error-codes';
import { RequestValidationException } from '../validation/request-validation.exception';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

/** Character offset of a JSON syntax error, for `loc: ["body", <offset>]` like the reference. */
function jsonErrorOffset(message: string): number {
  return Number(/position (\d+)/.exec(message)?.[1] ?? 0);
}

/**
 * The decoder's message without the excerpt of the body V8 quotes in some of them
 * (`Unexpected token 'h', ..."assword": hunter2}" is not valid JSON`): it could be a password.
 * Messages with a position quote nothing and are kept.
 */
export function jsonErrorText(message: string): string {
  if (!/ is not valid JSON$/.test(message)) return message;
  return message.startsWith('Unexpected token') ? 'Unexpected token in JSON' : 'Invalid JSON';
}

/**
 * Translates body-parser failures into our exceptions before Nest reduces them to a bare 400:
 * malformed JSON is the reference's 422 `json_invalid`, an oversized body a 413, a bad charset 415.
 */
export function bodyParserErrorMiddleware(rawBodyRoutes: RawBodyRoutes): ErrorRequestHandler {
  return (error: BodyParserError, request, _response, next) => {
    if (typeof error?.type !== 'string' || typeof error.status !== 'number') return next(error);
    if (error.type === 'entity.parse.failed' && rawBodyRoutes.has(request.path)) {
      // The raw bytes are kept (`rawBody`); the route validates them itself.
      request.body = undefined;
      return next();
    }
    if (error.type === 'entity.parse.failed') {
      return next(
        new RequestValidationException([
          {
            type: 'json_invalid',
            loc: ['body', jsonErrorOffset(error.message)],
            msg: 'JSON decode error',
            input: {},
            ctx: { error: jsonErrorText(error.message) },
          },
        ]),
      );
    }
    if (error.status === 413) {
      return next(
        new AppException(413, 'Request body is too large.', {
          code: PlatformErrorCode.PayloadTooLarge,
        }),
      );
    }
    if (error.status === 415) {
      return next(
        new AppException(415, 'Unsupported request body encoding.', {
          code: PlatformErrorCode.UnsupportedMediaType,
        }),
      );
    }
    const phrase = STATUS_PHRASES[error.status] ?? 'Bad Request';
    next(new AppException(error.status, phrase, { code: codeForStatus(error.status) }));
  };
}
