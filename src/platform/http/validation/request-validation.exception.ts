import { AppException } from '../app-exception';
import { PlatformErrorCode } from '../error-codes';
import type { ValidationIssue } from './validation-issue';

/** 422 `{error:"ValidationError", message:"Request validation failed.", details:[...]}`. */
export class RequestValidationException extends AppException {
  constructor(readonly issues: ValidationIssue[]) {
    super(422, 'Request validation failed.', {
      code: PlatformErrorCode.ValidationError,
      error: 'ValidationError',
      details: issues,
    });
  }
}
