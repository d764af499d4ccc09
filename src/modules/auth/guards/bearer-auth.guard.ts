import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AuthErrorCode, AuthException } from '../auth.errors';
import type { Principal } from '../principal';
import { REQUIRED_SCOPES, TENANT_REQUIREMENT, USER_ONLY } from './auth-metadata';

/**
 * Requires a valid access token. Missing or non-Bearer credentials are 401 with
 * `WWW-Authenticate: Bearer` (decision P3; the reference answered 403). Service-account tokens
 * pass only on scope- or tenant-guarded routes, never on user-only ones such as `/auth/me`.
 */
@Injectable()
export class BearerAuthGuard extends AuthGuard('bearer-jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override handleRequest<TUser = Principal>(
    error: unknown,
    principal: unknown,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    if (error) throw error instanceof Error ? error : AuthException.invalidToken();
    if (!principal) {
      if (info === 'scheme')
        throw AuthException.bearer(
          'Invalid authentication credentials',
          AuthErrorCode.NotAuthenticated,
        );
      throw AuthException.bearer('Not authenticated', AuthErrorCode.NotAuthenticated);
    }
    const caller = principal as Principal;
    // The guard is a singleton: the route comes from this call's context, never from state.
    if (caller.kind === 'service_account' && !this.serviceAccountsAllowed(context)) {
      throw AuthException.bearer(
        'Token subject must reference a user account.',
        AuthErrorCode.UserSubjectRequired,
      );
    }
    return caller as TUser;
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
