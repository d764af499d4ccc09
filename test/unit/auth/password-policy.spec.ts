import { validate } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { UserRegisterRequest } from '../../../src/modules/auth/dto/user-register-request.dto';
import { PasswordResetConfirmRequest } from '../../../src/modules/auth/dto/password-requests.dto';
import { PasswordPolicy, POLICY_MESSAGES } from '../../../src/modules/auth/password-policy';

describe('PasswordPolicy', () => {
  it('accepts a long, varied, unguessable password', () => {
    expect(PasswordPolicy.violation('Violet-Harbor-Lantern-42')).toBeNull();
  });

  it('requires 14 code points (not UTF-16 units)', () => {
    expect(PasswordPolicy.violation('Short-Pass-1')).toBe(POLICY_MESSAGES.tooShort);
    // 13 emoji are 26 UTF-16 units but 13 code points.
    expect(PasswordPolicy.violation('🔐'.repeat(13))).toBe(POLICY_MESSAGES.tooShort);
  });

  it('requires two of upper, lower, digit and other', () => {
    expect(PasswordPolicy.violation('abcdefghijklmnopqrst')).toBe(POLICY_MESSAGES.categories);
    expect(PasswordPolicy.violation('ABCDEFGHIJKLMNOPQRST')).toBe(POLICY_MESSAGES.categories);
    expect(PasswordPolicy.violation('🔐🔑🗝️🔒🔓🔏🔐🔑🗝️🔒🔓🔏🔐🔑')).toBe(
      POLICY_MESSAGES.categories,
    );
  });

  it('rejects guessable passwords with the zxcvbn score', () => {
    expect(PasswordPolicy.violation('Password123456')).toBe(POLICY_MESSAGES.weak);
    expect(PasswordPolicy.violation('aaaaaaaaaaaaaaA1')).toBe(POLICY_MESSAGES.weak);
  });

  it('uses the email as a hint', () => {
    const email = 'zorbulon.quexwick@example.test';
    const password = 'Zorbulon.Quexwick@example.test1';
    expect(PasswordPolicy.violation(password)).toBeNull();
    expect(PasswordPolicy.violation(password, [email])).toBe(POLICY_MESSAGES.weak);
  });

  it('scores long passwords quickly (only a prefix is estimated)', () => {
    const startedAt = Date.now();
    expect(PasswordPolicy.violation(`Xy7!${'q9#Lm2$v'.repeat(32)}`)).toBeNull();
    expect(Date.now() - startedAt).toBeLessThan(2000);
  });

  describe('at validation time (422 issues)', () => {
    it('signup reports the policy message with the email as hint, once per field', async () => {
      const dto = plainToInstance(UserRegisterRequest, {
        email: 'owner@example.test',
        password: 'Password123456',
        tenant_name: 'Acme',
        accept_terms: true,
      });
      const errors = await validate(dto);
      expect(errors).toHaveLength(1);
      expect(errors[0].property).toBe('password');
      expect(errors[0].constraints).toEqual({ passwordPolicy: POLICY_MESSAGES.weak });
    });

    it('leaves too-short passwords to the length check', async () => {
      const dto = plainToInstance(PasswordResetConfirmRequest, { token: 'a.b', new_password: 'x' });
      const [error] = await validate(dto);
      expect(Object.keys(error.constraints ?? {})).toEqual(['minLength']);
    });
  });
});
