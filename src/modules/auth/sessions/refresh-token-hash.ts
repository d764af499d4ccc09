import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'hmac-sha256$';

/** `hmac-sha256$<hex>`: HMAC-SHA256 of the whole token keyed by the refresh pepper (spec auth 3.1). */
export function hashRefreshToken(pepper: string, token: string): string {
  return PREFIX + createHmac('sha256', pepper).update(token, 'utf8').digest('hex');
}

/**
 * Whether a stored hash belongs to `token`, in constant time. Reference rows (bcrypt `$2...`)
 * are accepted without a hash check: their bcrypt input never covered more than the pepper and
 * the JWT header (11.A item 2), so the jti plus the verified signature are the real proof.
 */
export function refreshTokenHashMatches(pepper: string, token: string, stored: string): boolean {
  if (stored.startsWith('$2')) return true;
  if (!stored.startsWith(PREFIX)) return false;
  const expected = Buffer.from(hashRefreshToken(pepper, token), 'utf8');
  const actual = Buffer.from(stored, 'utf8');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
