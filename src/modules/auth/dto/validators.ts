import {
  registerDecorator,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, PasswordPolicy } from '../password-policy';

const violations = new WeakMap<object, Map<string, string>>();

/**
 * The full password policy at validation time (422), as the reference ran it for signup (with
 * the email as hint: `hintProperty`) and reset-confirm (no hint). Too-short or too-long values
 * are left to the length validators so one field reports one issue.
 */
export function MeetsPasswordPolicy(
  hintProperty?: string,
  options?: ValidationOptions,
): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'passwordPolicy',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate(value: unknown, args: ValidationArguments): boolean {
          if (typeof value !== 'string') return true;
          const length = [...value].length;
          if (length < PASSWORD_MIN_LENGTH || value.length > PASSWORD_MAX_LENGTH) return true;
          const hint = hintProperty
            ? (args.object as Record<string, unknown>)[hintProperty]
            : undefined;
          const violation = PasswordPolicy.violation(value, typeof hint === 'string' ? [hint] : []);
          if (!violation) return true;
          const byProperty = violations.get(args.object) ?? new Map<string, string>();
          byProperty.set(args.property, violation);
          violations.set(args.object, byProperty);
          return false;
        },
        defaultMessage(args: ValidationArguments): string {
          return violations.get(args.object)?.get(args.property) ?? 'Password is too weak.';
        },
      },
    });
  };
}

/** `accept_terms` must be literally true (missing counts as false, as the reference's default). */
export function TermsAccepted(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'termsAccepted',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: 'Terms of Service must be accepted to create an account.', ...options },
      validator: { validate: (value: unknown) => value === true },
    });
  };
}
