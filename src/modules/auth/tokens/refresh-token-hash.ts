import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'hmac-sha256$';

/**
 * `hmac-sha256$<hex>`: HMAC-SHA-256 of the whole refresh token keyed by
 * AUTH_REFRESH_TOKEN_PEPPER. The reference stored bcrypt over the pepper-prefixed token, whose
 * 72-byte input limit meant the hash only ever covered the pepper and the JWT header.
 */
export function hashRefreshToken(pepper: string, token: string): string {
  return PREFIX + createHmac('sha256', pepper).update(token, 'utf8').digest('hex');
}

/**
 * What to do with a row the reference wrote (a bcrypt `$2...` hash). User sessions accept it:
 * that hash never proved more than the JWT header, so the verified signature plus the stored
 * jti are the real proof, and refusing would log out every migrated user. Service-account
 * tokens are refused: an operator re-issues one with the CLI, so the stricter check costs one
 * re-issue per account.
 */
export type LegacyRefreshHashes = 'accept-legacy' | 'reject-legacy';

/** Whether `stored` is the hash of `token`, in constant time; legacy rows per `legacy`. */
export function refreshTokenHashMatches(
  pepper: string,
  token: string,
  stored: string,
  legacy: LegacyRefreshHashes,
): boolean {
  if (stored.startsWith('$2')) return legacy === 'accept-legacy';
  if (!stored.startsWith(PREFIX)) return false;
  const expected = Buffer.from(hashRefreshToken(pepper, token), 'utf8');
  const actual = Buffer.from(stored, 'utf8');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
