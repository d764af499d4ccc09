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
export { SeatLimitRegistry, type SeatLimitPort } from './users/seat-limit.port';
// The audit log, for the changes other modules make (subscriptions).
export { AuditLog, type AuditEntry } from './audit/audit-log.service';
export type { AuditAction } from './audit/audit-actions';
// Identity services the operator CLI uses (users seed/disable).
export { PasswordHasher, CURRENT_PASSWORD_VERSION } from './passwords/password-hasher';
export { PasswordPolicy } from './password-policy';
export {
  UserProvisioningService,
  type ProvisionUserInput,
  type ProvisionedUser,
} from './accounts/user-provisioning.service';
export { UserAccountService } from './accounts/user-account.service';
export { SessionRevocationService } from './sessions/session-revocation.service';
// Key lifecycle, JWKS and service-account signing for the operator CLI (keys, jwks, tokens).
export { KeyRotationService, KeyRotationError } from './keys/key-rotation.service';
export { JwksService } from './keys/jwks.service';
export { KeysetService } from './keys/keyset.service';
export { VaultTransitClient } from './service-accounts/vault-transit.client';
export {
  buildVaultEnvelope,
  encodeVaultEnvelope,
  vaultSignedHeaders,
} from './service-accounts/vault-signed-request';
