import type { Request } from 'express';
import { ExtractJwt } from 'passport-jwt';
import { Strategy } from 'passport-strategy';

const extractBearer = ExtractJwt.fromAuthHeaderAsBearerToken();

export type VerifyBearer = (
  request: Request,
  token: string,
  done: (error: unknown, principal?: unknown) => void,
) => void;

/**
 * Minimal Passport strategy: passport-jwt's extractor pulls the bearer token, `verify` checks it.
 * Verification itself is ours (`jose`, EdDSA): passport-jwt's jsonwebtoken verifier has no
 * EdDSA (decision P1). A missing or non-Bearer header fails with a reason the guard turns into
 * the reference text (missing header vs wrong scheme).
 */
export class BearerTokenStrategy extends Strategy {
  name = 'bearer-jwt';

  constructor(private readonly verify: VerifyBearer) {
    super();
  }

  override authenticate(request: Request): void {
    if (!request.headers.authorization?.trim()) return this.fail('missing', 401);
    const token = extractBearer(request);
    if (!token) return this.fail('scheme', 401);
    this.verify(request, token, (error, principal) => {
      if (error) return this.error(error as Error);
      if (!principal) return this.fail('invalid', 401);
      return this.success(principal);
    });
  }
}
