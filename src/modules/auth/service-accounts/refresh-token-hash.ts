import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'hmac-sha256$';

/**
 * `hmac-sha256$<hex>`: HMAC-SHA-256 of the whole token keyed by AUTH_REFRESH_TOKEN_PEPPER (spec
 * auth 3.1). The reference's bcrypt over the pepper-prefixed token only covered the JWT header.
 */
export function hashRefreshToken(pepper: string, token: string): string {
  return `${PREFIX}${createHmac('sha256', pepper).update(token).digest('hex')}`;
}

/** Constant-time comparison against a stored hash; legacy (bcrypt) rows never match here. */
export function refreshTokenMatches(pepper: string, token: string, stored: string): boolean {
  if (!stored.startsWith(PREFIX)) return false;
  const expected = Buffer.from(hashRefreshToken(pepper, token));
  const actual = Buffer.from(stored);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
