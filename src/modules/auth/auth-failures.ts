import { AuthErrorCode as Code, AuthException } from './auth.errors';

/**
 * The reference's auth failures: status, exact detail text (the wire contract) and our stable
 * code. Only the login, bad-tenant and membership 401s carry `WWW-Authenticate: Bearer`.
 */
export const AuthFailures = {
  invalidCredentials: () =>
    AuthException.bearer('Invalid email or password.', Code.InvalidCredentials),
  invalidTenantIdentifier: () =>
    AuthException.bearer('Invalid tenant identifier supplied.', Code.InvalidTenant),
  ipThrottled: () =>
    new AuthException(429, 'Too many login attempts from this network segment.', Code.IpThrottled),
  lockedOut: () =>
    new AuthException(423, 'Account locked due to repeated failures.', Code.AccountLocked),
  accountLocked: () => new AuthException(423, 'Account is locked.', Code.AccountLocked),
  accountDisabled: () => new AuthException(403, 'User is disabled.', Code.AccountDisabled),
  accountPending: () => new AuthException(403, 'User is pending.', Code.AccountPending),
  /** Membership errors: 401 with WWW-Authenticate at login, without it on refresh. */
  noMemberships: (bearer: boolean) => membership401('User is not assigned to any tenant.', bearer),
  notAMember: (bearer: boolean) =>
    membership401('User is not a member of the requested tenant.', bearer),
  tenantRequired: () =>
    new AuthException(400, 'Tenant context required for multi-tenant users.', Code.TenantRequired),
  signingUnavailable: () =>
    new AuthException(500, 'Token signing is unavailable.', Code.SigningUnavailable),

  refresh: (message: string, code = Code.InvalidRefreshToken) =>
    new AuthException(401, message, code),
  refreshRevoked: (code = Code.InvalidRefreshToken) =>
    new AuthException(401, 'Refresh token has been revoked or expired.', code),
  unknownUser: () => new AuthException(401, 'Unknown user.', Code.UserNotFound),
  logout: (message: string) => new AuthException(403, message, Code.LogoutForbidden),
  sessionNotFound: () =>
    new AuthException(404, 'Session not found or already revoked.', Code.SessionNotFound),

  verificationMalformed: () =>
    new AuthException(400, 'Verification token is malformed.', Code.InvalidVerificationToken),
  verificationInvalid: () =>
    new AuthException(
      400,
      'Verification token is invalid or expired.',
      Code.InvalidVerificationToken,
    ),
  resetMalformed: () =>
    new AuthException(400, 'Password reset token is malformed.', Code.InvalidResetToken),
  resetInvalid: () =>
    new AuthException(400, 'Password reset token is invalid or expired.', Code.InvalidResetToken),
  unlockMalformed: () =>
    new AuthException(400, 'Unlock token is malformed.', Code.InvalidUnlockToken),
  unlockInvalid: () =>
    new AuthException(400, 'Unlock token is invalid or expired.', Code.InvalidUnlockToken),
  passwordPolicy: (message: string) => new AuthException(400, message, Code.PasswordPolicy),
  passwordReused: () => new AuthException(400, 'Password was recently used.', Code.PasswordReused),
  invalidCurrentPassword: () =>
    new AuthException(401, 'Invalid current password.', Code.InvalidCurrentPassword),
  mailUnavailable: () =>
    new AuthException(503, 'Unable to send email right now. Retry later.', Code.MailUnavailable),

  resetTenantMissing: () =>
    new AuthException(400, 'Tenant context is required for password reset.', Code.TenantRequired),
  resetTenantInvalid: () => new AuthException(400, 'Invalid tenant id.', Code.InvalidTenant),
  resetUnknownUser: () => new AuthException(404, 'Unknown user.', Code.UserNotFound),
  resetNotAMember: (message: string) =>
    new AuthException(404, message, Code.TenantMembershipMissing),
  insufficientTenantRole: () =>
    new AuthException(
      403,
      'Insufficient tenant privileges for this operation.',
      Code.InsufficientTenantRole,
    ),

  signupDisabled: () => new AuthException(403, 'Public signup is disabled.', Code.SignupDisabled),
  emailTaken: () => new AuthException(409, 'Email already registered.', Code.EmailTaken),
  slugExhausted: () =>
    new AuthException(409, 'Unable to allocate a unique tenant slug.', Code.SlugTaken),
  slugTaken: () => new AuthException(409, 'Tenant slug already exists.', Code.SlugTaken),
};

function membership401(message: string, bearer: boolean): AuthException {
  return bearer
    ? AuthException.bearer(message, Code.TenantMembershipMissing)
    : new AuthException(401, message, Code.TenantMembershipMissing);
}
