import zxcvbn from 'zxcvbn';

export const PASSWORD_MIN_LENGTH = 14;
/** New passwords are capped (the reference had no cap): the strength estimator is superlinear. */
export const PASSWORD_MAX_LENGTH = 256;
/** Login accepts longer legacy passwords: checking one costs an HMAC, not an estimate. */
export const LOGIN_PASSWORD_MAX_LENGTH = 4096;
const MIN_CATEGORIES = 2;
const MIN_SCORE = 3;
/**
 * zxcvbn takes ~40 ms on 64 random characters and seconds on 500+; only this prefix is scored,
 * so a long password cannot stall a request. Passwords up to 64 characters score as in the
 * reference.
 */
const SCORED_PREFIX = 64;

export const POLICY_MESSAGES = {
  tooShort: `Password must be at least ${PASSWORD_MIN_LENGTH} characters long.`,
  categories: 'Password must include at least two categories (upper, lower, digit, symbol).',
  weak: 'Password is too weak according to the current policy.',
} as const;

/**
 * The reference password policy: at least 14 code points, at least two of upper/lower/digit/other,
 * and a zxcvbn (4.4.2, the dropbox port the reference matches) score of at least 3 with the user's
 * inputs (their email) as hints.
 */
export class PasswordPolicy {
  /** The first failed rule's message, or null when the password passes. */
  static violation(password: string, userInputs: string[] = []): string | null {
    if ([...password].length < PASSWORD_MIN_LENGTH) return POLICY_MESSAGES.tooShort;
    if (PasswordPolicy.categories(password) < MIN_CATEGORIES) return POLICY_MESSAGES.categories;
    const scored = [...password].slice(0, SCORED_PREFIX).join('');
    const hints = userInputs.filter((input) => input.trim() !== '');
    if (zxcvbn(scored, hints).score < MIN_SCORE) return POLICY_MESSAGES.weak;
    return null;
  }

  private static categories(password: string): number {
    return [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  }
}
