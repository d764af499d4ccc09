import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppConfig } from '../../../platform/config/app-config';
import { AuthException } from '../auth.errors';
import type { Principal } from '../principal';
import { allScopesSatisfied } from '../scopes/scope-policy';
import { REQUIRED_SCOPES } from './auth-metadata';
import { assertEmailVerified } from './email-verification';

/** The reference's "verified scopes" dependency: scope check, then the verified-email gate. */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const required =
      this.reflector.getAllAndOverride<string[]>(REQUIRED_SCOPES, [
        context.getHandler(),
        context.getClass(),
      ]) ?? [];
    const principal = context.switchToHttp().getRequest<Request & { user?: Principal }>().user;
    if (!principal) throw AuthException.invalidToken();
    if (!allScopesSatisfied(principal.scopes, required)) throw AuthException.insufficientScope();
    assertEmailVerified(this.config, principal);
    return true;
  }
}
