import { createHmac } from 'node:crypto';
import {
  hashRefreshToken,
  refreshTokenHashMatches,
} from '../../../src/modules/auth/tokens/refresh-token-hash';

describe('refresh-token hash (one module for sessions and service accounts)', () => {
  const pepper = 'pepper-1';
  const token = 'header.payload.signature';
  const legacyBcrypt = '$2b$12$abcdefghijklmnopqrstuuN6o6yZ1c5QyS5vq1rj4i3yO7tXq1p6a';

  it('hashes the whole token with HMAC-SHA-256 under the pepper', () => {
    const hex = createHmac('sha256', pepper).update(token).digest('hex');
    expect(hashRefreshToken(pepper, token)).toBe(`hmac-sha256$${hex}`);
  });

  it('matches its own hash only for the same token and pepper', () => {
    const stored = hashRefreshToken(pepper, token);
    for (const legacy of ['accept-legacy', 'reject-legacy'] as const) {
      expect(refreshTokenHashMatches(pepper, token, stored, legacy)).toBe(true);
      expect(refreshTokenHashMatches(pepper, `${token}x`, stored, legacy)).toBe(false);
      expect(refreshTokenHashMatches('pepper-2', token, stored, legacy)).toBe(false);
      expect(refreshTokenHashMatches(pepper, token, stored.slice(0, -1), legacy)).toBe(false);
      expect(refreshTokenHashMatches(pepper, token, 'sha256$whatever', legacy)).toBe(false);
    }
  });

  it('takes a reference bcrypt row only when the call site says so', () => {
    expect(refreshTokenHashMatches(pepper, token, legacyBcrypt, 'accept-legacy')).toBe(true);
    expect(refreshTokenHashMatches(pepper, token, legacyBcrypt, 'reject-legacy')).toBe(false);
  });
});
