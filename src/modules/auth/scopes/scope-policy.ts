/** Scopes of owner/admin memberships, in the reference's fixed order. */
export const ADMIN_SCOPES = [
  'conversations:read',
  'conversations:write',
  'conversations:delete',
  'tools:read',
  'billing:read',
  'billing:manage',
  'support:read',
  'members:read',
  'members:manage',
  'audit:read',
] as const;

export const MEMBER_SCOPES = [
  'conversations:read',
  'conversations:write',
  'tools:read',
  'members:read',
] as const;

export const VIEWER_SCOPES = ['conversations:read', 'tools:read'] as const;

export const SUPERUSER_SCOPE = 'support:*';

/** Membership role (free text, case-insensitive) to its scopes. */
export function scopesForRole(role: string): string[] {
  const normalized = role.trim().toLowerCase();
  if (normalized === 'owner' || normalized === 'admin') return [...ADMIN_SCOPES];
  if (normalized === 'member' || normalized === 'editor') return [...MEMBER_SCOPES];
  return [...VIEWER_SCOPES];
}

/** Reads `scope` (space-delimited string or array) and `scopes` (array or string), merged. */
export function scopesFromClaims(claims: Record<string, unknown>): string[] {
  const values: string[] = [];
  for (const claim of [claims.scope, claims.scopes]) {
    if (typeof claim === 'string') values.push(...claim.split(/\s+/));
    else if (Array.isArray(claim))
      values.push(...claim.filter((v): v is string => typeof v === 'string'));
  }
  return [...new Set(values.map((v) => v.trim()).filter(Boolean))];
}

/** Exact match, `support:*` (everything), or `<namespace>:*`. */
export function scopeSatisfied(granted: readonly string[], required: string): boolean {
  if (granted.includes(required) || granted.includes(SUPERUSER_SCOPE)) return true;
  const namespace = required.split(':')[0];
  return granted.includes(`${namespace}:*`);
}

export function allScopesSatisfied(
  granted: readonly string[],
  required: readonly string[],
): boolean {
  return required.every((scope) => scopeSatisfied(granted, scope));
}
