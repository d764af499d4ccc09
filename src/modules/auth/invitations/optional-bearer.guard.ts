import { Injectable, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { BearerAuthGuard } from '../guards/bearer-auth.guard';

/**
 * A route both for callers without an account (no `Authorization` header: no principal) and for
 * signed-in users (a header: verified exactly like `BearerAuthGuard`, a bad token is still a 401).
 */
@Injectable()
export class OptionalBearerGuard extends BearerAuthGuard {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    if (request.headers.authorization === undefined) return true;
    return super.canActivate(context);
  }
}
