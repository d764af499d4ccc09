import { createHash, randomBytes } from 'node:crypto';

/**
 * Invitation tokens: 32 random bytes (base64url) in the email link, SHA-256 of
 * `<pepper>:<token>` in the row. The token has 256 bits of entropy, so the hash alone is safe at
 * rest; the pepper (the email-verification one: both prove control of an inbox) means a leaked
 * table cannot even be checked against a guessed token.
 */
export function newInvitationToken(): string {
  return randomBytes(32).toString('base64url');
}

export function invitationTokenHash(pepper: string, token: string): string {
  return createHash('sha256').update(`${pepper}:${token}`, 'utf8').digest('hex');
}

/** Whether `token` has the shape we mint (43 base64url characters); others are not looked up. */
export function isInvitationTokenShape(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}
