import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { RouteTableHolder } from '../route-table.holder';

/** `/x/` -> 307 to `/x` when `/x` is a route (the reference router's redirect, kept for clients). */
export function trailingSlashMiddleware(routes: RouteTableHolder): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const path = request.path;
    if (path.length > 1 && path.endsWith('/')) {
      const canonical = path.replace(/\/+$/, '') || '/';
      if (routes.table.has(canonical)) {
        const query = request.originalUrl.slice(request.originalUrl.indexOf('?') >>> 0);
        const suffix = request.originalUrl.includes('?') ? query : '';
        response.redirect(307, `${canonical}${suffix}`);
        return;
      }
    }
    next();
  };
}
