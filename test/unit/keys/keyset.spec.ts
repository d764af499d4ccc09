import { generateKeyMaterial, type KeyMaterial } from '../../../src/modules/auth/keys/key-material';
import {
  isVerifiable,
  parseKeyset,
  prune,
  publishedKeys,
  rotate,
  signingKey,
  verificationKeys,
  type KeysetDocument,
} from '../../../src/modules/auth/keys/keyset';

const NOW = new Date('2026-01-01T00:00:00Z');
const DAY = 24 * 3600;

describe('keyset lifecycle (decision A4)', () => {
  let a: KeyMaterial;
  let b: KeyMaterial;
  let c: KeyMaterial;
  let d: KeyMaterial;

  beforeAll(async () => {
    const created = new Date(NOW.getTime() - 10 * DAY * 1000);
    [a, b, c, d] = await Promise.all(
      ['key-a', 'key-b', 'key-c', 'key-d'].map((kid) => generateKeyMaterial(kid, created)),
    );
  });

  const keyset = (): KeysetDocument => ({ schema_version: 1, active: a, next: b, retired: [] });

  it('promotes next, retires the old key verify-only for the overlap and adds a new next', () => {
    const { doc, activated, retired } = rotate(keyset(), c, d, 30 * DAY, NOW);
    expect(activated.kid).toBe('key-b');
    expect(doc.active?.kid).toBe('key-b');
    expect(doc.next?.kid).toBe('key-d');
    expect(retired).toMatchObject({
      kid: 'key-a',
      private_key: null,
      retired_at: '2026-01-01T00:00:00.000+00:00',
      not_after: '2026-01-31T00:00:00.000+00:00',
    });
    expect(signingKey(doc, NOW)?.kid).toBe('key-b');
    expect(verificationKeys(doc, NOW).map((k) => k.kid)).toEqual(['key-b', 'key-a']);
    expect(publishedKeys(doc, NOW).map((k) => k.kid)).toEqual(['key-b', 'key-d', 'key-a']);
    const afterOverlap = new Date(NOW.getTime() + 30 * DAY * 1000);
    expect(verificationKeys(doc, afterOverlap).map((k) => k.kid)).toEqual(['key-b']);
  });

  it('activates a fresh (named) key and keeps the published next when asked to', () => {
    const { doc } = rotate(keyset(), c, d, DAY, NOW, { preferNext: false });
    expect(doc.active?.kid).toBe('key-c');
    expect(doc.next?.kid).toBe('key-b');
  });

  it('uses the fresh key when there is no next, and never dates not_before in the future', () => {
    const future = { ...c, not_before: '2030-01-01T00:00:00+00:00' };
    const { doc } = rotate({ ...keyset(), next: null }, future, d, DAY, NOW);
    expect(doc.active?.kid).toBe('key-c');
    expect(doc.active?.not_before).toBe('2026-01-01T00:00:00.000+00:00');
    expect(signingKey(doc, NOW)?.kid).toBe('key-c');
  });

  it('prunes only retired keys past not_after (also on rotation)', () => {
    const first = rotate(keyset(), c, d, DAY, NOW).doc;
    expect(prune(first, NOW).removed).toEqual([]);
    const later = new Date(NOW.getTime() + 2 * DAY * 1000);
    const { doc, removed } = prune(first, later);
    expect(removed).toEqual(['key-a']);
    expect(doc.retired).toEqual([]);
    const second = rotate(first, a, c, DAY, later);
    expect(second.pruned).toEqual(['key-a']);
    expect(second.doc.retired?.map((k) => k.kid)).toEqual(['key-b']);
  });

  it('honours not_before and not_after for signing and verification', () => {
    const notYet = { ...a, not_before: '2026-01-01T00:05:00+00:00' };
    expect(signingKey({ ...keyset(), active: notYet }, NOW)).toBeNull();
    expect(isVerifiable(notYet, NOW)).toBe(false);
    // A minute of clock skew between replicas is tolerated for verification only.
    expect(isVerifiable({ ...a, not_before: '2026-01-01T00:00:30+00:00' }, NOW)).toBe(true);
    const ended = { ...a, not_after: '2025-12-31T23:59:59+00:00' };
    expect(signingKey({ ...keyset(), active: ended }, NOW)).toBeNull();
    expect(verificationKeys({ ...keyset(), active: ended }, NOW)).toEqual([]);
    expect(signingKey({ ...keyset(), active: { ...a, private_key: null } }, NOW)).toBeNull();
  });

  it('never trusts next for verification but publishes it (reference pin)', () => {
    expect(verificationKeys(keyset(), NOW).map((k) => k.kid)).toEqual(['key-a']);
    expect(publishedKeys(keyset(), NOW).map((k) => k.kid)).toEqual(['key-a', 'key-b']);
  });

  it('parses reference documents leniently and rejects non-objects', () => {
    const parsed = parseKeyset({ schema_version: 1, active: a, next: null, status: 'x' });
    expect(parsed).toEqual({ schema_version: 1, active: a, next: null, retired: [] });
    expect(() => parseKeyset([])).toThrow('Keyset document must be a JSON object');
    expect(() => parseKeyset('x')).toThrow();
  });
});
