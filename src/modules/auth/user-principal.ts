import { AuthException } from './auth.errors';
import { isUserPrincipal, type Principal, type UserPrincipal } from './principal';

/** The caller of an `@Authenticated()` route (user-only: the guard already refused others). */
export function requireUser(principal: Principal): UserPrincipal {
  if (!isUserPrincipal(principal)) throw AuthException.invalidToken();
  return principal;
}
