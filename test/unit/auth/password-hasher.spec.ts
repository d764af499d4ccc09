import * as argon2 from 'argon2';
import * as bcrypt from 'bcryptjs';
import { PasswordHasher } from '../../../src/modules/auth/passwords/password-hasher';
import { authMetrics, silentLoggers, testConfig } from './helpers';

/** Fast argon2 parameters for tests; production defaults stay at the OWASP minimum. */
const FAST = { AUTH_PASSWORD_ARGON2_MEMORY_KIB: '1024', AUTH_PASSWORD_ARGON2_TIME_COST: '1' };

function hasherWith(pepper: string, extra: Record<string, string> = {}) {
  const { metrics, auth } = authMetrics();
  const config = testConfig({ AUTH_PASSWORD_PEPPER: pepper, ...FAST, ...extra });
  return { hasher: new PasswordHasher(config, auth, silentLoggers()), metrics };
}

/** The reference's v2 input: bcrypt over `<pepper>:<password>` (bcrypt reads its first 72 bytes). */
function referenceV2Hash(pepper: string, password: string): string {
  return bcrypt.hashSync(`${pepper}:${password}`, 4);
}

describe('PasswordHasher (decision A1)', () => {
  const { hasher } = hasherWith('pepper-one');

  it('writes v3: argon2id with the configured parameters over the HMAC pre-hash', async () => {
    const stored = await hasher.hash('Correct-Horse-Battery-9');
    expect(stored.version).toBe('v3');
    expect(stored.hash).toMatch(/^\$argon2id\$v=19\$/);
    expect(stored.hash).toMatch(/[$,]m=1024[,$]/);
    expect(stored.hash).toMatch(/[$,]t=1[,$]/);
    expect(stored.hash).toMatch(/[$,]p=1[,$]/);
    // The argon2 input is the HMAC pre-hash, never the password itself.
    await expect(
      argon2.verify(stored.hash, hasher.preHash('Correct-Horse-Battery-9')),
    ).resolves.toBe(true);
    await expect(argon2.verify(stored.hash, 'Correct-Horse-Battery-9')).resolves.toBe(false);
    await expect(hasher.verify('Correct-Horse-Battery-9', stored.hash)).resolves.toEqual({
      valid: true,
      needsRehash: false,
    });
    await expect(hasher.verify('Correct-Horse-Battery-8', stored.hash)).resolves.toEqual({
      valid: false,
      needsRehash: false,
    });
  });

  it('counts every byte of a password longer than 72 bytes', async () => {
    const prefix = 'x'.repeat(100);
    const stored = await hasher.hash(`${prefix}A`);
    expect((await hasher.verify(`${prefix}A`, stored.hash)).valid).toBe(true);
    expect((await hasher.verify(`${prefix}B`, stored.hash)).valid).toBe(false);
    expect((await hasher.verify(prefix, stored.hash)).valid).toBe(false);
  });

  it('keeps passwords meaningful with a pepper of 71 bytes or more', async () => {
    const long = hasherWith('p'.repeat(80)).hasher;
    const stored = await long.hash('Short-but-different-1');
    expect((await long.verify('Short-but-different-1', stored.hash)).valid).toBe(true);
    expect((await long.verify('anything-else-at-all', stored.hash)).valid).toBe(false);
  });

  it('is bound to the pepper', async () => {
    const stored = await hasher.hash('Correct-Horse-Battery-9');
    const other = hasherWith('pepper-two').hasher;
    expect((await other.verify('Correct-Horse-Battery-9', stored.hash)).valid).toBe(false);
  });

  it('handles unicode passwords exactly (no normalisation, no truncation)', async () => {
    const password = 'Pässwörd-日本語-🔐-Ωμέγα';
    const stored = await hasher.hash(password);
    expect((await hasher.verify(password, stored.hash)).valid).toBe(true);
    expect((await hasher.verify(password.normalize('NFD'), stored.hash)).valid).toBe(false);
    expect((await hasher.verify('Pässwörd-日本語-🔒-Ωμέγα', stored.hash)).valid).toBe(false);
  });

  it('asks for a rehash when the argon2 parameters changed', async () => {
    const stored = await hasher.hash('Correct-Horse-Battery-9');
    const stronger = hasherWith('pepper-one', { AUTH_PASSWORD_ARGON2_TIME_COST: '2' }).hasher;
    await expect(stronger.verify('Correct-Horse-Battery-9', stored.hash)).resolves.toEqual({
      valid: true,
      needsRehash: true,
    });
  });

  it('verifies reference v2 hashes (peppered bcrypt) and asks for an upgrade', async () => {
    const legacy = referenceV2Hash('pepper-one', 'Legacy-Password-1');
    await expect(hasher.verify('Legacy-Password-1', legacy)).resolves.toEqual({
      valid: true,
      needsRehash: true,
    });
    expect((await hasher.verify('Legacy-Password-2', legacy)).valid).toBe(false);
  });

  it('verifies reference v1 hashes (bare bcrypt) and asks for an upgrade', async () => {
    const legacy = bcrypt.hashSync('Legacy-Password-1', 4);
    await expect(hasher.verify('Legacy-Password-1', legacy)).resolves.toEqual({
      valid: true,
      needsRehash: true,
    });
    expect((await hasher.verify('legacy-password-1', legacy)).valid).toBe(false);
  });

  it('applies the reference 72-byte truncation to v2 hashes', async () => {
    const pepper = 'p'.repeat(60); // `<pepper>:` is 61 bytes: 11 password bytes count
    const long = hasherWith(pepper).hasher;
    const legacy = referenceV2Hash(pepper, 'abcdefghijk-REST');
    expect((await long.verify('abcdefghijk-REST', legacy)).valid).toBe(true);
    // The reference accepted anything sharing the first 11 bytes; legacy verification must too,
    // and the upgrade on login then ends that weakness for this user.
    expect((await long.verify('abcdefghijk-OTHER', legacy)).valid).toBe(true);
    expect((await long.verify('abcdefghijX-REST', legacy)).valid).toBe(false);
  });

  it('cuts a multi-byte character at byte 72 exactly as bcrypt did', async () => {
    const pepper = 'p'.repeat(69); // 70 bytes with the colon: 2 bytes left, `é` is 2 bytes
    const long = hasherWith(pepper).hasher;
    const legacy = referenceV2Hash(pepper, 'éabc');
    expect((await long.verify('é-anything', legacy)).valid).toBe(true);
    expect((await long.verify('è-anything', legacy)).valid).toBe(false);
  });

  it('refuses peppered bcrypt hashes when the pepper alone fills 72 bytes (any password would match)', async () => {
    const pepper = 'p'.repeat(71);
    const long = hasherWith(pepper).hasher;
    const legacy = referenceV2Hash(pepper, 'Real-Password-1');
    // bcrypt itself cannot tell these apart: the reference logged in with any password.
    expect(bcrypt.compareSync(`${pepper}:totally-wrong`, legacy)).toBe(true);
    expect((await long.verify('Real-Password-1', legacy)).valid).toBe(false);
    expect((await long.verify('totally-wrong', legacy)).valid).toBe(false);
  });

  it('treats unknown or malformed hashes as mismatches', async () => {
    await expect(hasher.verify('x', 'not-a-hash')).resolves.toEqual({
      valid: false,
      needsRehash: false,
    });
    await expect(hasher.verify('x', '$argon2id$broken')).resolves.toEqual({
      valid: false,
      needsRehash: false,
    });
    await expect(hasher.verify('x', '$2b$12$short')).resolves.toEqual({
      valid: false,
      needsRehash: false,
    });
  });

  it('spends an argon2 verification on unknown accounts and records the timing', async () => {
    const { hasher: timed, metrics } = hasherWith('pepper-one');
    await timed.verifyDummy('whatever');
    const metric = await metrics.registry.getSingleMetric('auth_password_verify_seconds')!.get();
    const count = metric.values.find(
      (v) =>
        (v as { metricName?: string }).metricName === 'auth_password_verify_seconds_count' &&
        v.labels.scheme === 'dummy',
    );
    expect(count?.value).toBe(1);
  });

  it('matches a candidate against history hashes of any format', async () => {
    const history = [
      (await hasher.hash('Newest-Password-1')).hash,
      referenceV2Hash('pepper-one', 'Old-Password-2'),
    ];
    await expect(hasher.matchesAny('Old-Password-2', history)).resolves.toBe(true);
    await expect(hasher.matchesAny('Newest-Password-1', history)).resolves.toBe(true);
    await expect(hasher.matchesAny('Never-Used-3', history)).resolves.toBe(false);
  });
});
