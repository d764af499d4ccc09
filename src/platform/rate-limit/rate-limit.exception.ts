import { AppException } from '../http/app-exception';
import { PlatformErrorCode } from '../http/error-codes';

/** The reference 429: `Rate limit exceeded (<quota>). Retry after <n>s.` with `Retry-After`. */
export class RateLimitExceededException extends AppException {
  constructor(
    readonly quota: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, `Rate limit exceeded (${quota}). Retry after ${retryAfterSeconds}s.`, {
      code: PlatformErrorCode.RateLimited,
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
}
