import type { Request } from 'express';
import { Strategy } from 'passport-strategy';

export type VerifyBearer = (
  request: Request,
  token: string,
  done: (error: unknown, principal?: unknown) => void,
) => void;

/**
 * Minimal Passport strategy: pull the bearer token and hand it to `verify`. Verification itself
 * is ours (`jose`, EdDSA): passport-jwt's jsonwebtoken verifier has no EdDSA (decision P1).
 * A missing or non-Bearer header fails with a reason the guard turns into the reference text.
 */
export class BearerTokenStrategy extends Strategy {
  name = 'bearer-jwt';

  constructor(private readonly verify: VerifyBearer) {
    super();
  }

  override authenticate(request: Request): void {
    const header = request.headers.authorization;
    if (!header?.trim()) return this.fail('missing', 401);
    const match = /^bearer\s+(\S+)\s*$/i.exec(header.trim());
    if (!match) return this.fail('scheme', 401);
    this.verify(request, match[1], (error, principal) => {
      if (error) return this.error(error as Error);
      if (!principal) return this.fail('invalid', 401);
      return this.success(principal);
    });
  }
}
