import { AppException } from '../../../platform/http/app-exception';

/**
 * Stable machine codes of service-account failures (the envelope `code`). The texts stay the
 * reference's; the codes are what the reference's CLI spec promised (`invalid_scope`,
 * `tenant_mismatch`, ...) and never shipped.
 */
export enum ServiceAccountErrorCode {
  MissingAuthorization = 'missing_authorization',
  InvalidAuthorizationScheme = 'invalid_authorization_scheme',
  VaultCredentialRequired = 'vault_credential_required',
  VaultDisabled = 'vault_disabled',
  VaultNotConfigured = 'vault_not_configured',
  VaultUnavailable = 'vault_unavailable',
  VaultPayloadMissing = 'vault_payload_missing',
  VaultPayloadInvalid = 'vault_payload_invalid',
  VaultClaimsInvalid = 'vault_claims_invalid',
  VaultSignatureInvalid = 'vault_signature_invalid',
  VaultVerificationFailed = 'vault_verification_failed',
  VaultPayloadExpired = 'vault_payload_expired',
  VaultIatInvalid = 'vault_iat_invalid',
  VaultNonceReused = 'vault_nonce_reused',
  AccountMismatch = 'account_mismatch',
  TenantMismatch = 'tenant_mismatch',
  ScopeMismatch = 'scope_mismatch',
  LifetimeMismatch = 'lifetime_mismatch',
  FingerprintMismatch = 'fingerprint_mismatch',
  UnknownAccount = 'unknown_service_account',
  TenantRequired = 'tenant_required',
  TenantForbidden = 'tenant_forbidden',
  InvalidScope = 'invalid_scope',
  InvalidLifetime = 'invalid_lifetime',
  RateLimited = 'service_account_rate_limited',
  RateLimiterUnavailable = 'rate_limiter_unavailable',
  InvalidServiceAccountToken = 'invalid_service_account_token',
}

const BEARER = { 'WWW-Authenticate': 'Bearer' };

/** A service-account failure: status, reference detail text and a stable code. */
export class ServiceAccountException extends AppException {
  constructor(
    status: number,
    message: string,
    code: ServiceAccountErrorCode,
    headers?: Record<string, string>,
  ) {
    super(status, message, { code, headers });
  }

  static badRequest(message: string, code: ServiceAccountErrorCode): ServiceAccountException {
    return new ServiceAccountException(400, message, code);
  }

  static unauthorized(message: string, code: ServiceAccountErrorCode): ServiceAccountException {
    return new ServiceAccountException(401, message, code);
  }

  /** Header-level failures carry `WWW-Authenticate: Bearer` (decision P3). */
  static bearer(message: string, code: ServiceAccountErrorCode): ServiceAccountException {
    return new ServiceAccountException(401, message, code, BEARER);
  }

  static unavailable(message: string, code: ServiceAccountErrorCode): ServiceAccountException {
    return new ServiceAccountException(503, message, code);
  }
}
