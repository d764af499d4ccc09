import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Strategy } from 'passport-strategy';
import { AuthErrorCode, AuthException } from '../auth.errors';
import type { Principal } from '../principal';
import { REQUIRED_SCOPES, TENANT_REQUIREMENT, USER_ONLY } from './auth-metadata';
import { BEARER_STRATEGY_LOCAL } from './bearer-jwt.strategy';
import { runPassportStrategy } from './run-passport-strategy';

/**
 * Requires a valid access token, checked by the app's `bearer-jwt` Passport strategy (jose
 * verification, session state). Missing or non-Bearer credentials are 401 with
 * `WWW-Authenticate: Bearer` (decision P3; the reference answered 403). Service-account tokens
 * pass only on scope- or tenant-guarded routes, never on user-only ones such as `/auth/me`.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request & { user?: Principal }>();
    const strategy = (request.app.locals as Record<string, Strategy | undefined>)[
      BEARER_STRATEGY_LOCAL
    ];
    if (!strategy) throw new Error('Bearer strategy is not installed on this application');
    const { user, info } = await runPassportStrategy(strategy, request);
    request.user = this.accept(user, info, context);
    return true;
  }

  private accept(principal: unknown, info: unknown, context: ExecutionContext): Principal {
    if (!principal) {
      if (info === 'scheme') {
        throw AuthException.bearer(
          'Invalid authentication credentials',
          AuthErrorCode.NotAuthenticated,
        );
      }
      throw AuthException.bearer('Not authenticated', AuthErrorCode.NotAuthenticated);
    }
    const caller = principal as Principal;
    if (caller.kind === 'service_account' && !this.serviceAccountsAllowed(context)) {
      throw AuthException.bearer(
        'Token subject must reference a user account.',
        AuthErrorCode.UserSubjectRequired,
      );
    }
    return caller;
  }

  private serviceAccountsAllowed(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(USER_ONLY, targets)) return false;
    return Boolean(
      this.reflector.getAllAndOverride(REQUIRED_SCOPES, targets) ??
      this.reflector.getAllAndOverride(TENANT_REQUIREMENT, targets),
    );
  }
}
