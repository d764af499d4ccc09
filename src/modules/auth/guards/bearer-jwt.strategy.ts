import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import type { Principal } from '../principal';
import { BearerTokenStrategy } from './bearer-token.strategy';
import type { BearerVerifier } from './bearer-verifier.service';

/** Where each application instance keeps its verifier and strategy (see the class comment). */
export const BEARER_VERIFIER_LOCAL = 'bearerVerifier';
export const BEARER_STRATEGY_LOCAL = 'bearerStrategy';

/**
 * The `bearer-jwt` Passport strategy (also registered with Passport, so `passport.authenticate`
 * works); `BearerAuthGuard` runs this app's instance directly. Passport keeps strategies
 * in one process-global registry, so the strategy holds no state of its own: it asks the Express
 * app that received the request for that application's verifier. Two app instances in one
 * process (tests, benchmarks) therefore never verify with each other's keys.
 */
@Injectable()
export class BearerJwtStrategy extends PassportStrategy(BearerTokenStrategy, 'bearer-jwt') {
  async validate(request: Request, token: string): Promise<Principal> {
    const verifier = (request.app.locals as Record<string, BearerVerifier | undefined>)[
      BEARER_VERIFIER_LOCAL
    ];
    if (!verifier) throw new Error('Bearer verifier is not installed on this application');
    return verifier.authenticate(token);
  }
}
