import type { AppConfig } from '../../../platform/config/app-config';
import { AuthException } from '../auth.errors';
import type { Principal } from '../principal';

/**
 * The verified-email gate: off when REQUIRE_EMAIL_VERIFICATION is false; a token without the claim
 * passes (legacy grace); a false claim is 403.
 */
export function assertEmailVerified(config: AppConfig, principal: Principal): void {
  if (!config.REQUIRE_EMAIL_VERIFICATION) return;
  if (principal.emailVerified === false) throw AuthException.emailUnverified();
}
