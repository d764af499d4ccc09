import type { Request } from 'express';
import type { Strategy } from 'passport-strategy';

export interface StrategyOutcome {
  user: unknown;
  info?: unknown;
}

/**
 * Runs a Passport strategy for one request the way `passport.authenticate` runs it (an
 * `Object.create` of the strategy with success/fail/error/pass bound), without what
 * `passport.authenticate` adds per request: it patches login/logout helpers and a session
 * manager onto every request object, which changes its shape and cost us ~15% CPU per
 * authenticated request (measured with `npm run bench -- auth`).
 */
export function runPassportStrategy(
  strategy: Strategy,
  request: Request,
): Promise<StrategyOutcome> {
  return new Promise((resolve, reject) => {
    const attempt = Object.create(strategy) as Strategy & {
      success(user: unknown, info?: unknown): void;
      fail(challenge?: unknown, status?: number): void;
      error(error: unknown): void;
      pass(): void;
      redirect(url: string): void;
    };
    attempt.success = (user, info) => resolve({ user, info });
    attempt.fail = (challenge) => resolve({ user: false, info: challenge });
    attempt.error = (error) => reject(error instanceof Error ? error : new Error(String(error)));
    attempt.pass = () => resolve({ user: false });
    attempt.redirect = () => reject(new Error('Bearer authentication never redirects'));
    attempt.authenticate(request, {});
  });
}
