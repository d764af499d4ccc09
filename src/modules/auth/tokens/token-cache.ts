import type { TokenClaims } from './token-claims';

/**
 * Bounded memo of verified access tokens (token string -> claims) until their expiry. It holds
 * only the result of a pure computation, so it is safe per replica; the keyset service clears it
 * whenever keys change.
 */
export class TokenCache {
  private readonly entries = new Map<string, { claims: TokenClaims; expiresAt: number }>();

  constructor(private readonly capacity: number) {}

  get(token: string): TokenClaims | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(token);
      return undefined;
    }
    // Refresh recency: Map iteration order is insertion order, so re-insert at the end.
    this.entries.delete(token);
    this.entries.set(token, entry);
    return entry.claims;
  }

  set(token: string, claims: TokenClaims, expiresAt: number): void {
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { claims, expiresAt });
  }

  clear(): void {
    this.entries.clear();
  }
}
