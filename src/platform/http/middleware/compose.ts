import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Runs several middleware functions as one Express layer. Each router layer costs a dispatch
 * (URL parsing, matching, bookkeeping) on every request; our pre-route pipeline is six small
 * functions that always run, so they run back to back inside one layer.
 */
export function composeMiddleware(handlers: RequestHandler[]): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    let index = 0;
    const step = (error?: unknown): void => {
      if (error !== undefined && error !== null) return next(error);
      const handler = handlers[index];
      index += 1;
      if (!handler) return next();
      try {
        void handler(request, response, step);
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}
