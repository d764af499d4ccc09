import { AppException } from '../../platform/http/app-exception';

/** Stable machine codes of auth failures (the envelope `code`); texts stay the reference's. */
export enum AuthErrorCode {
  NotAuthenticated = 'not_authenticated',
  InvalidToken = 'invalid_token',
  AccessTokenRequired = 'access_token_required',
  UserSubjectRequired = 'user_subject_required',
  SessionRevoked = 'session_revoked',
  InsufficientScope = 'insufficient_scope',
  EmailUnverified = 'email_unverified',
  TenantMismatch = 'tenant_mismatch',
  TenantNotFound = 'tenant_not_found',
  MemberNotFound = 'member_not_found',
  MemberRoleForbidden = 'member_role_forbidden',
  LastOwner = 'last_owner',
  TenantContextMissing = 'tenant_context_missing',
  TenantRoleEscalation = 'tenant_role_escalation',
  InsufficientTenantRole = 'insufficient_tenant_role',
  InvalidCredentials = 'invalid_credentials',
  AccountLocked = 'account_locked',
  AccountDisabled = 'account_disabled',
  AccountPending = 'account_pending',
  IpThrottled = 'ip_throttled',
  TenantRequired = 'tenant_required',
  InvalidRefreshToken = 'invalid_refresh_token',
  RefreshReused = 'refresh_reused',
  SigningUnavailable = 'signing_unavailable',
  SignupDisabled = 'signup_disabled',
  EmailTaken = 'email_taken',
  SlugTaken = 'slug_taken',
  PasswordPolicy = 'password_policy',
  PasswordReused = 'password_reused',
  InvalidVerificationToken = 'invalid_verification_token',
  InvalidResetToken = 'invalid_reset_token',
  SessionNotFound = 'session_not_found',
  UserNotFound = 'user_not_found',
  LogoutForbidden = 'logout_forbidden',
  InvalidTenant = 'invalid_tenant',
  TenantMembershipMissing = 'tenant_membership_missing',
  InvalidCurrentPassword = 'invalid_current_password',
  MailUnavailable = 'mail_unavailable',
  InvitationNotFound = 'invitation_not_found',
  InvalidInvitationToken = 'invalid_invitation_token',
  InvitationExpired = 'invitation_expired',
  InvitationRevoked = 'invitation_revoked',
  InvitationAccepted = 'invitation_already_accepted',
  InvitationEmailMismatch = 'invitation_email_mismatch',
  InvitationAccountExists = 'invitation_account_exists',
  AlreadyMember = 'already_member',
  SeatLimitReached = 'seat_limit_reached',
  UserDisableForbidden = 'user_disable_forbidden',
  InvalidUnlockToken = 'invalid_unlock_token',
}

const BEARER = { 'WWW-Authenticate': 'Bearer' };

/** An auth failure: status, reference detail text and a stable code (plus headers when needed). */
export class AuthException extends AppException {
  constructor(
    status: number,
    message: string,
    code: AuthErrorCode,
    headers?: Record<string, string>,
  ) {
    super(status, message, { code, headers });
  }

  /** 401 with `WWW-Authenticate: Bearer` (decision P3, RFC 6750). */
  static bearer(message: string, code: AuthErrorCode): AuthException {
    return new AuthException(401, message, code, BEARER);
  }

  static invalidToken(): AuthException {
    return AuthException.bearer('Could not validate credentials', AuthErrorCode.InvalidToken);
  }

  static insufficientScope(): AuthException {
    return new AuthException(
      403,
      'Insufficient scopes for this operation.',
      AuthErrorCode.InsufficientScope,
    );
  }

  static emailUnverified(): AuthException {
    return new AuthException(403, 'Email verification required.', AuthErrorCode.EmailUnverified);
  }
}
