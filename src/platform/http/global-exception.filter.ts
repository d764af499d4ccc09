import { Catch, NotFoundException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { LoggerFactory } from '../observability/logger.factory';
import { RequestContext } from '../observability/request-context';
import { AppException } from './app-exception';
import { PlatformErrorCode } from './error-codes';
import { renderError } from './error-envelope';
import { RouteTableHolder } from './route-table.holder';

const ROUTER_NOT_FOUND = /^Cannot [A-Z]+ /;

/**
 * The one place errors become HTTP responses: every failure, including unknown routes (404),
 * wrong methods (405), body-parser errors (400/413/415/422) and crashes (500), is rendered as
 * the JSON envelope. 500s are logged with their stack but never expose it.
 */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private readonly log: Logger;

  constructor(
    private readonly routes: RouteTableHolder,
    loggers: LoggerFactory,
  ) {
    this.log = loggers.get('http.errors');
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    const error = this.isRouterNotFound(exception) ? this.routeNotFound(request) : exception;
    const rendered = renderError(error, RequestContext.requestId() ?? null);

    if (rendered.unexpected) {
      this.log.error(
        { err: exception, method: request.method, path: request.path },
        'Unhandled error',
      );
    }
    if (response.headersSent) {
      // A stream already started: the status cannot change any more, only end the body.
      response.end();
      return;
    }
    for (const [name, value] of Object.entries(rendered.headers)) response.setHeader(name, value);
    response.status(rendered.status).json(rendered.body);
  }

  private isRouterNotFound(exception: unknown): boolean {
    return exception instanceof NotFoundException && ROUTER_NOT_FOUND.test(exception.message);
  }

  private routeNotFound(request: Request): AppException {
    const allowed = this.routes.table.allowedMethods(request.path);
    if (allowed.length > 0) {
      return new AppException(405, 'Method Not Allowed', {
        code: PlatformErrorCode.MethodNotAllowed,
        headers: { Allow: allowed.join(', ') },
      });
    }
    return new AppException(404, 'Not Found', { code: PlatformErrorCode.NotFound });
  }
}
