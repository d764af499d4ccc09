import { LRUCache } from 'lru-cache';
import type { TokenClaims } from './token-claims';

interface Entry {
  claims: TokenClaims;
  /** Epoch milliseconds (the token's `exp`); the entry is dead from that instant on. */
  expiresAt: number;
}

/**
 * Bounded memo of verified access tokens (token string -> claims) until their expiry. It holds
 * only the result of a pure computation, so it is safe per replica; the keyset service clears it
 * whenever keys change.
 *
 * `lru-cache` keeps the bound and the least-recently-used order. The expiry is checked here
 * against `Date.now()`, not with lru-cache's `ttl`: a token's `exp` is a wall-clock instant (jose
 * checks it the same way), while lru-cache's TTL is relative to a monotonic clock and still serves
 * an entry at exactly `start + ttl`.
 */
export class TokenCache {
  private readonly entries: LRUCache<string, Entry>;

  constructor(capacity: number) {
    this.entries = new LRUCache<string, Entry>({ max: capacity });
  }

  get(token: string): TokenClaims | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.claims;
  }

  set(token: string, claims: TokenClaims, expiresAt: number): void {
    this.entries.set(token, { claims, expiresAt });
  }

  clear(): void {
    this.entries.clear();
  }
}
