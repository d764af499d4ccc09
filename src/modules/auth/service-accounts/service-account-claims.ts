import type { TokenClaims } from '../tokens/token.service';

export const SERVICE_ACCOUNT_SUBJECT_PREFIX = 'service-account:';

export interface ServiceAccountRefreshSubject {
  account: string;
  jti: string;
  scopes: string[];
  tenantId: string | null;
  fingerprint: string | null;
}

/**
 * Service-account refresh-token claims, always in this property order: Ed25519 signatures are
 * deterministic, so the same claims, times and key give the same token again. That is how reuse
 * returns an existing token without storing it.
 */
export function serviceAccountRefreshClaims(subject: ServiceAccountRefreshSubject): TokenClaims {
  return {
    sub: `${SERVICE_ACCOUNT_SUBJECT_PREFIX}${subject.account}`,
    account: subject.account,
    token_use: 'refresh',
    jti: subject.jti,
    scope: subject.scopes.join(' '),
    ...(subject.tenantId ? { tenant_id: subject.tenantId } : {}),
    ...(subject.fingerprint ? { fingerprint: subject.fingerprint } : {}),
  };
}

export interface ServiceAccountAccessSubject {
  account: string;
  jti: string;
  scopes: string[];
  tenantId: string | null;
  audience: string[];
}

/**
 * Access-token claims of a service account: accepted by the bearer guard on scope- and
 * tenant-guarded routes, never on user-only ones. No `sid` (there is no session: revocation is
 * the refresh row plus the short lifetime) and no `email_verified` (the gate does not apply).
 */
export function serviceAccountAccessClaims(subject: ServiceAccountAccessSubject): TokenClaims {
  return {
    sub: `${SERVICE_ACCOUNT_SUBJECT_PREFIX}${subject.account}`,
    account: subject.account,
    token_use: 'access',
    aud: subject.audience,
    jti: subject.jti,
    scope: subject.scopes.join(' '),
    ...(subject.tenantId ? { tenant_id: subject.tenantId } : {}),
  };
}
