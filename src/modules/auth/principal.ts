/**
 * Who is calling, as established by the bearer guard from a verified access token. Services
 * receive it as an explicit argument (no request-scoped providers).
 */
export interface Principal {
  kind: 'user' | 'service_account';
  /** `user:<uuid>` or `service-account:<account>`. */
  subject: string;
  /** The user's UUID; null for service accounts. */
  userId: string | null;
  /** Catalog slug, for service accounts. */
  account: string | null;
  /** Tenant from the token (`tenant_id` claim), or null for tenantless tokens. */
  tenantId: string | null;
  roles: string[];
  /** Merged `scope` and `scopes` claims, trimmed, de-duplicated. */
  scopes: string[];
  /** The `email_verified` claim; undefined when the token has none (legacy grace). */
  emailVerified: boolean | undefined;
  /** `sid` claim: the session whose revocation kills this token. */
  sessionId: string | null;
  /** `jti` claim. */
  tokenId: string;
  /** Every decoded claim (returned by `/auth/me`). */
  payload: Record<string, unknown>;
}

/** A principal that is certainly a user (user-only routes). */
export interface UserPrincipal extends Principal {
  kind: 'user';
  userId: string;
}

export function isUserPrincipal(principal: Principal): principal is UserPrincipal {
  return principal.kind === 'user' && principal.userId !== null;
}
