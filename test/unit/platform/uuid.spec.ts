import { canonicalUuid, formatUuid, isUuid, uuidV5 } from '../../../src/platform/ids';

describe('the one UUID helper (src/platform/ids)', () => {
  it('isUuid: the hyphenated hex shape in any case and any version, nothing else', () => {
    expect(isUuid('0b6f0c2e-1d7a-4f0e-9a53-2f3b8c1d9e10')).toBe(true);
    expect(isUuid('0B6F0C2E-1D7A-4F0E-9A53-2F3B8C1D9E10')).toBe(true);
    // Not RFC 4122 version/variant bits: Postgres uuid stores these, so we accept them.
    expect(isUuid('00000000-0000-0000-0000-000000000001')).toBe(true);
    expect(isUuid('0b6f0c2e1d7a4f0e9a532f3b8c1d9e10')).toBe(false);
    expect(isUuid('0b6f0c2e-1d7a-4f0e-9a53-2f3b8c1d9e1g')).toBe(false);
    expect(isUuid(' 0b6f0c2e-1d7a-4f0e-9a53-2f3b8c1d9e10')).toBe(false);
    expect(isUuid(null)).toBe(false);
    expect(isUuid(42)).toBe(false);
  });

  it('canonicalUuid: hyphenated or bare hex to lower-case hyphenated; null otherwise', () => {
    const canonical = '0b6f0c2e-1d7a-4f0e-9a53-2f3b8c1d9e10';
    expect(canonicalUuid('0B6F0C2E-1D7A-4F0E-9A53-2F3B8C1D9E10')).toBe(canonical);
    expect(canonicalUuid('0b6f0c2e1d7a4f0e9a532f3b8c1d9e10')).toBe(canonical);
    expect(canonicalUuid('0b6f0c2e1d7a-4f0e-9a53-2f3b8c1d9e10')).toBeNull();
    expect(canonicalUuid('{0b6f0c2e-1d7a-4f0e-9a53-2f3b8c1d9e10}')).toBeNull();
    expect(canonicalUuid('')).toBeNull();
  });

  it('formatUuid and uuidV5 (Python uuid.uuid5 values)', () => {
    expect(formatUuid('0B6F0C2E1D7A4F0E9A532F3B8C1D9E10')).toBe(
      '0b6f0c2e-1d7a-4f0e-9a53-2f3b8c1d9e10',
    );
    // uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org') in CPython.
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org')).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
  });
});
