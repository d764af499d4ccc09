/**
 * The auth module's public surface: what other modules may import. Everything else in this
 * folder is internal to auth.
 */
export { AuthModule } from './auth.module';
export { AuthErrorCode, AuthException } from './auth.errors';
export {
  Authenticated,
  CurrentPrincipal,
  CurrentTenant,
  RequireScopes,
  RequireTenantRoles,
  UserOnly,
} from './decorators/auth.decorators';
export { isUserPrincipal, type Principal, type UserPrincipal } from './principal';
export type { TenantContext, TenantRole } from './tenancy/tenant-context';
export {
  SignupBillingRegistry,
  type SignupBillingPort,
  type SignupSubscriptionRequest,
} from './signup/signup-billing.port';
