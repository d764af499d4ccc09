import {
  invitationTokenHash,
  isInvitationTokenShape,
  newInvitationToken,
} from '../../../src/modules/auth/invitations/invitation-token';

describe('invitation tokens', () => {
  it('are 32 random bytes in base64url, never repeated', () => {
    const tokens = new Set(Array.from({ length: 50 }, () => newInvitationToken()));
    expect(tokens.size).toBe(50);
    for (const token of tokens) expect(isInvitationTokenShape(token)).toBe(true);
  });

  it('hash with the pepper: another pepper gives another hash, and the token is not in it', () => {
    const token = newInvitationToken();
    const hash = invitationTokenHash('pepper-a', token);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(invitationTokenHash('pepper-a', token)).toBe(hash);
    expect(invitationTokenHash('pepper-b', token)).not.toBe(hash);
  });

  it('rejects shapes we never mint before any lookup', () => {
    for (const bad of ['', 'short', 'A'.repeat(42), 'A'.repeat(44), `${'A'.repeat(42)}=`]) {
      expect(isInvitationTokenShape(bad)).toBe(false);
    }
  });
});
