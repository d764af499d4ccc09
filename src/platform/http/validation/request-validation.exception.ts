import { AppException } from '../app-exception';
import { PlatformErrorCode } from '../error-codes';
import { redactIssue } from './secret-redaction';
import type { ValidationIssue } from './validation-issue';

/**
 * 422 `{error:"ValidationError", message:"Request validation failed.", details:[...]}`. Every
 * 422 passes through here, so this is where submitted secrets are redacted from the issues.
 */
export class RequestValidationException extends AppException {
  readonly issues: ValidationIssue[];

  constructor(issues: ValidationIssue[]) {
    const redacted = issues.map(redactIssue);
    super(422, 'Request validation failed.', {
      code: PlatformErrorCode.ValidationError,
      error: 'ValidationError',
      details: redacted,
    });
    this.issues = redacted;
  }
}
