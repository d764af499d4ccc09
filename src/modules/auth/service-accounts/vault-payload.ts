import { findTextIssues } from '../../../platform/http';
import {
  ServiceAccountErrorCode as Code,
  ServiceAccountException,
} from './service-accounts.errors';

/** Envelope constants shared by the CLI (signer) and the API (verifier). */
export const VAULT_PAYLOAD_ISSUER = 'vault-transit';
export const VAULT_PAYLOAD_AUDIENCE = 'auth-service';
export const VAULT_PAYLOAD_SUBJECT = 'service-account-cli';
export const IAT_MAX_AGE_SECONDS = 600;
export const IAT_FUTURE_SKEW_SECONDS = 30;
/**
 * A payload is accepted from `iat - 30 s` until `iat + 600 s`, so a nonce must be remembered for
 * 630 s: the reference kept it at most 300 s and a payload could be replayed.
 */
export const NONCE_TTL_SECONDS = IAT_MAX_AGE_SECONDS + IAT_FUTURE_SKEW_SECONDS;
const MAX_PAYLOAD_LENGTH = 8192;
const MAX_NONCE_LENGTH = 128;
const MAX_SUBJECT_LENGTH = 128;
const REQUIRED = ['iss', 'aud', 'sub', 'nonce', 'iat', 'exp', 'account', 'scopes'] as const;

/** What the caller asked for, after the signed payload has been reconciled with the body. */
export interface IssuanceRequest {
  account: string;
  scopes: string[];
  tenantId: string | null;
  lifetimeMinutes: number | null;
  fingerprint: string | null;
  force: boolean;
}

export interface DecodedVaultPayload {
  claims: Record<string, unknown>;
  /** The decoded bytes as standard, padded base64: what Vault Transit signed and verifies. */
  input: string;
}

/**
 * Decodes `X-Vault-Payload`. Standard base64 is what Vault Transit takes as `input`, so that is
 * what the CLI sends; the reference's unpadded base64url is still decoded.
 */
export function decodeVaultPayload(header: string): DecodedVaultPayload {
  const text = header.trim();
  const normalized = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (text.length > MAX_PAYLOAD_LENGTH || !/^[A-Za-z0-9+/]*$/.test(normalized)) {
    throw ServiceAccountException.badRequest(
      'Invalid Vault payload encoding: not base64 data',
      Code.VaultPayloadInvalid,
    );
  }
  if (normalized.length % 4 === 1) {
    throw ServiceAccountException.badRequest(
      'Invalid Vault payload encoding: truncated base64 data',
      Code.VaultPayloadInvalid,
    );
  }
  const bytes = Buffer.from(normalized, 'base64');
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw ServiceAccountException.badRequest(
      `Invalid Vault payload JSON: ${(error as Error).message}`,
      Code.VaultPayloadInvalid,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw ServiceAccountException.badRequest(
      'Unexpected Vault payload shape.',
      Code.VaultPayloadInvalid,
    );
  }
  const [issue] = findTextIssues(parsed, []);
  if (issue) {
    // Claims reach Postgres (fingerprint, tenant): text it cannot store, or nesting deeper than
    // any claim set has, is refused like bad JSON, saying which of the two it was.
    throw ServiceAccountException.badRequest(
      `Invalid Vault payload JSON: ${issue.type === 'value_error' && issue.ctx ? String(issue.ctx.error) : 'text must not contain unpaired surrogates.'}`,
      Code.VaultPayloadInvalid,
    );
  }
  return { claims: parsed as Record<string, unknown>, input: bytes.toString('base64') };
}

function claimsError(message: string): ServiceAccountException {
  return ServiceAccountException.unauthorized(message, Code.VaultClaimsInvalid);
}

/** Presence and shape of the envelope claims, including `iss` and `sub` (the reference ignored them). */
export function checkEnvelopeClaims(claims: Record<string, unknown>): void {
  const missing = REQUIRED.filter((name) => claims[name] === undefined || claims[name] === null);
  if (missing.length > 0) throw claimsError(`Vault payload missing fields: ${missing.join(', ')}`);
  if (!Array.isArray(claims.aud) || !claims.aud.includes(VAULT_PAYLOAD_AUDIENCE)) {
    throw claimsError('Vault payload audience invalid.');
  }
  if (!Array.isArray(claims.scopes)) throw claimsError('Vault payload scopes must be a list.');
  if (claims.iss !== VAULT_PAYLOAD_ISSUER) throw claimsError('Vault payload issuer invalid.');
  const sub = claims.sub;
  if (typeof sub !== 'string' || !sub.trim() || sub.length > MAX_SUBJECT_LENGTH) {
    throw claimsError('Vault payload subject invalid.');
  }
}

/**
 * Trim, strings only, no blanks, de-duplicated, at least one; the signed list fails with 401, the
 * request's with 400.
 */
export function normalizeScopeList(value: unknown, origin: 'vault' | 'request'): string[] {
  const label = origin === 'vault' ? 'Vault payload scopes' : 'Request scopes';
  const fail = (ending: string) =>
    origin === 'vault'
      ? claimsError(`${label} ${ending}`)
      : ServiceAccountException.badRequest(`${label} ${ending}`, Code.InvalidScope);
  if (!Array.isArray(value)) throw fail('must be an array of strings.');
  const scopes: string[] = [];
  for (const item of value) {
    if (typeof item !== 'string') throw fail('must contain strings only.');
    const scope = item.trim();
    if (!scope) throw fail('cannot contain empty scopes.');
    if (!scopes.includes(scope)) scopes.push(scope);
  }
  if (scopes.length === 0) throw fail('must include at least one scope.');
  return scopes;
}

function mismatch(message: string, code: Code): ServiceAccountException {
  return ServiceAccountException.badRequest(message, code);
}

function reconcileTenant(signed: unknown, requested: string | null): string | null {
  if (signed !== undefined && signed !== null && (typeof signed !== 'string' || !signed.trim())) {
    throw claimsError('Vault payload tenant_id invalid.');
  }
  const signedTenant = typeof signed === 'string' ? signed.trim().toLowerCase() : null;
  if (requested === null) return signedTenant; // the signed tenant is honoured
  if (signedTenant !== requested.toLowerCase()) {
    throw mismatch('Vault payload tenant mismatch.', Code.TenantMismatch);
  }
  return requested;
}

function reconcileLifetime(signed: unknown, requested: number | null): number | null {
  const present = signed !== undefined && signed !== null;
  if (requested !== null && !present) {
    throw mismatch('Vault payload missing lifetime_minutes.', Code.LifetimeMismatch);
  }
  if (!present) return requested;
  if (typeof signed !== 'number' || !Number.isInteger(signed) || signed <= 0) {
    throw claimsError('Vault payload lifetime_minutes must be a positive integer.');
  }
  if (requested !== null && requested !== signed) {
    throw mismatch('Vault payload lifetime_minutes mismatch.', Code.LifetimeMismatch);
  }
  return signed;
}

function reconcileFingerprint(signed: unknown, requested: string | null): string | null {
  const present = signed !== undefined && signed !== null;
  if (requested !== null && !present) {
    throw mismatch('Vault payload missing fingerprint.', Code.FingerprintMismatch);
  }
  if (!present) return requested;
  if (typeof signed !== 'string' || !signed)
    throw claimsError('Vault payload fingerprint invalid.');
  if (requested !== null && requested !== signed) {
    throw mismatch('Vault payload fingerprint mismatch.', Code.FingerprintMismatch);
  }
  return signed;
}

/**
 * The signed claims must agree with the request body; what was signed but not sent is taken
 * from the signature (lifetime, fingerprint and now also the tenant), and the scopes take the
 * signed order.
 */
export function reconcileWithRequest(
  claims: Record<string, unknown>,
  request: IssuanceRequest,
): IssuanceRequest {
  if (claims.account !== request.account) {
    throw mismatch('Vault payload account mismatch.', Code.AccountMismatch);
  }
  const tenantId = reconcileTenant(claims.tenant_id, request.tenantId);
  const signedScopes = normalizeScopeList(claims.scopes, 'vault');
  const requestedScopes = normalizeScopeList(request.scopes, 'request');
  const same =
    signedScopes.length === requestedScopes.length &&
    signedScopes.every((scope) => requestedScopes.includes(scope));
  if (!same) throw mismatch('Vault payload scopes mismatch.', Code.ScopeMismatch);
  return {
    ...request,
    tenantId,
    scopes: signedScopes,
    lifetimeMinutes: reconcileLifetime(claims.lifetime_minutes, request.lifetimeMinutes),
    fingerprint: reconcileFingerprint(claims.fingerprint, request.fingerprint),
  };
}

/**
 * `exp`, `iat` and the nonce's shape, checked before the nonce is stored so a stale payload does
 * not burn its nonce. Returns the nonce.
 */
export function checkFreshness(claims: Record<string, unknown>, nowSeconds: number): string {
  const exp = claims.exp;
  if (typeof exp !== 'number' || !Number.isInteger(exp)) {
    throw claimsError('Vault payload missing exp.');
  }
  if (exp <= nowSeconds) {
    throw ServiceAccountException.unauthorized('Vault payload expired.', Code.VaultPayloadExpired);
  }
  const iat = claims.iat;
  if (typeof iat !== 'number' || !Number.isInteger(iat)) {
    throw claimsError('Vault payload missing iat.');
  }
  if (iat > nowSeconds + IAT_FUTURE_SKEW_SECONDS) {
    throw ServiceAccountException.unauthorized(
      'Vault payload iat is in the future.',
      Code.VaultIatInvalid,
    );
  }
  if (iat < nowSeconds - IAT_MAX_AGE_SECONDS) {
    throw ServiceAccountException.unauthorized(
      'Vault payload iat outside acceptable window.',
      Code.VaultIatInvalid,
    );
  }
  const nonce = claims.nonce;
  if (typeof nonce !== 'string' || !nonce.trim()) throw claimsError('Vault payload missing nonce.');
  if (nonce.length > MAX_NONCE_LENGTH) throw claimsError('Vault payload nonce invalid.');
  return nonce;
}
