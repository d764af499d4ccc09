import { TokenCache } from '../../../src/modules/auth/tokens/token-cache';
import type { TokenClaims } from '../../../src/modules/auth/tokens/token-claims';

const claims = (sub: string) => ({ sub }) as unknown as TokenClaims;

describe('TokenCache (verified access tokens until their exp)', () => {
  const NOW = 1_700_000_000_000;
  let now: number;

  beforeEach(() => {
    now = NOW;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });

  afterEach(() => jest.restoreAllMocks());

  it('returns the claims until the expiry instant, then forgets the token', () => {
    const cache = new TokenCache(10);
    cache.set('t', claims('a'), NOW + 1000);
    expect(cache.get('t')).toEqual({ sub: 'a' });
    now = NOW + 999;
    expect(cache.get('t')).toEqual({ sub: 'a' });
    now = NOW + 1000;
    expect(cache.get('t')).toBeUndefined();
    now = NOW;
    expect(cache.get('t')).toBeUndefined();
  });

  it('never serves a token stored already expired', () => {
    const cache = new TokenCache(10);
    cache.set('past', claims('a'), NOW - 1);
    cache.set('edge', claims('b'), NOW);
    expect(cache.get('past')).toBeUndefined();
    expect(cache.get('edge')).toBeUndefined();
  });

  it('holds at most `capacity` tokens, evicting the least recently used', () => {
    const cache = new TokenCache(3);
    cache.set('a', claims('a'), NOW + 60_000);
    cache.set('b', claims('b'), NOW + 60_000);
    cache.set('c', claims('c'), NOW + 60_000);
    expect(cache.get('a')).toEqual({ sub: 'a' }); // a is now the most recent
    cache.set('d', claims('d'), NOW + 60_000); // evicts b
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual({ sub: 'a' });
    expect(cache.get('c')).toEqual({ sub: 'c' });
    expect(cache.get('d')).toEqual({ sub: 'd' });
    cache.set('e', claims('e'), NOW + 60_000); // evicts a (c, d, a were read after it)
    expect(cache.get('a')).toBeUndefined();
    expect(['c', 'd', 'e'].map((t) => cache.get(t)?.sub)).toEqual(['c', 'd', 'e']);
  });

  it('bounds a cache of many tokens', () => {
    const cache = new TokenCache(100);
    for (let i = 0; i < 1000; i += 1) cache.set(`t${i}`, claims(String(i)), NOW + 60_000);
    const kept = Array.from({ length: 1000 }, (_, i) => cache.get(`t${i}`)).filter(Boolean);
    expect(kept).toHaveLength(100);
    expect(cache.get('t999')).toEqual({ sub: '999' });
    expect(cache.get('t899')).toBeUndefined();
  });

  it('clear() drops every token (the keyset changed)', () => {
    const cache = new TokenCache(10);
    cache.set('a', claims('a'), NOW + 60_000);
    cache.set('b', claims('b'), NOW + 60_000);
    cache.clear();
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeUndefined();
  });
});
