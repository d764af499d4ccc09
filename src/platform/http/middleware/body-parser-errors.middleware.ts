import type { ErrorRequestHandler } from 'express';
import { AppException } from '../app-exception';
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
 * Translates body-parser failures into our exceptions before Nest reduces them to a bare 400:
 * malformed JSON is the reference's 422 `json_invalid`, an oversized body a 413, a bad charset 415.
 */
export function bodyParserErrorMiddleware(): ErrorRequestHandler {
  return (error: BodyParserError, _request, _response, next) => {
    if (typeof error?.type !== 'string' || typeof error.status !== 'number') return next(error);
    if (error.type === 'entity.parse.failed') {
      return next(
        new RequestValidationException([
          {
            type: 'json_invalid',
            loc: ['body', jsonErrorOffset(error.message)],
            msg: 'JSON decode error',
            input: {},
            ctx: { error: error.message },
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
