import { slugBase, suffixedSlug } from '../../../src/modules/auth/accounts/tenant-slug';
import { selectTrialDays } from '../../../src/modules/auth/signup/trial-days';

describe('trial days', () => {
  const pick = (plan: number | null, override: boolean, requested: number | null | undefined) =>
    selectTrialDays({
      planTrialDays: plan,
      defaultTrialDays: 14,
      overrideAllowed: override,
      requested,
    });

  it.each([
    [21, false, 60, 21],
    [30, true, 5, 5],
    [10, true, 45, 10],
  ])('plan %p, override %p, requested %p -> %p (pinned)', (plan, override, requested, result) => {
    expect(pick(plan, override, requested)).toBe(result);
  });

  it('falls back to SIGNUP_DEFAULT_TRIAL_DAYS when the plan is unknown', () => {
    expect(pick(null, false, undefined)).toBe(14);
    expect(pick(null, true, 3)).toBe(3);
  });

  it('uses the cap when no trial is requested, even with the override on', () => {
    expect(pick(21, true, null)).toBe(21);
  });

  it('means no trial for a cap or result of zero or less', () => {
    expect(pick(0, false, 30)).toBeNull();
    expect(pick(0, true, 30)).toBeNull();
    expect(pick(30, true, 0)).toBeNull();
  });
});

describe('tenant slugs', () => {
  it.each([
    ['Acme Rockets', 'acme-rockets'],
    ['  --Hello,   World!!--  ', 'hello-world'],
    ['Café Zürich', 'caf-z-rich'],
    ["Robert'); DROP TABLE tenant_accounts;--", 'robert-drop-table-tenant-accounts'],
    ['日本語', 'tenant'],
    ['!!!', 'tenant'],
  ])('%p -> %p', (name, slug) => {
    expect(slugBase(name)).toBe(slug);
  });

  it('cuts to 60 characters', () => {
    expect(slugBase('a'.repeat(100))).toBe('a'.repeat(60));
  });

  it('retries with base[:55] and 4 hex characters', () => {
    expect(suffixedSlug('b'.repeat(60), 'beef')).toBe(`${'b'.repeat(55)}-beef`);
    expect(suffixedSlug('acme')).toMatch(/^acme-[0-9a-f]{4}$/);
  });
});
