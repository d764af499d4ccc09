import { createHash, randomUUID } from 'node:crypto';

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

/**
 * Key of a hosted-session creation (Checkout, Customer Portal). With the client's
 * `Idempotency-Key` header, a retried request (same header, same parameters) sends the same key,
 * so Stripe answers with the session it already created; a different body under the same header
 * gets another key (a new session, not an `idempotency_error`). Without a header every request is
 * a new session (random nonce), while our own retries of that one request still share its key.
 * The client's value is hashed: it is scoped by tenant and never sent to Stripe as such.
 */
export function clientScopedKey(
  kind: 'checkout' | 'portal',
  tenantId: string,
  clientKey: string | null,
  params: unknown,
): string {
  const nonce = clientKey
    ? `c${createHash('sha256').update(clientKey).digest('hex').slice(0, 32)}`
    : `r${randomUUID()}`;
  return idempotencyKey([kind, 'create', tenantId, nonce], params);
}
