import { createHash } from 'node:crypto';

/**
 * Deterministic Stripe idempotency keys derived from our own ids (decision B1): the same logical
 * request always sends the same key (so a retry, a double click or a re-sent request never
 * creates a second object), while a request with different parameters gets a different key
 * (Stripe answers `idempotency_error` when one key is reused with other parameters).
 */
export function idempotencyKey(parts: (string | number)[], params: unknown = null): string {
  const digest = createHash('sha256')
    .update(JSON.stringify(params ?? null))
    .digest('hex')
    .slice(0, 16);
  return ['aa', ...parts.map(String), digest].join(':').slice(0, 255);
}

/**
 * The usage idempotency key sent as the meter event `identifier` (and Idempotency-Key): the
 * client's key scoped by tenant and feature (identifiers are unique account-wide for 24 h, and
 * two tenants may both send `"abc"`), hashed to Stripe's 100-character identifier limit.
 */
export function usageIdentifier(tenantId: string, featureKey: string, clientKey: string): string {
  const digest = createHash('sha256')
    .update(`${tenantId}\n${featureKey}\n${clientKey}`)
    .digest('hex');
  return `usage_${digest.slice(0, 48)}`;
}
